#!/usr/bin/env python3
"""Model throughput on a CUDA GPU: ours (build/bench/model_bench --device cuda) against the same model in
PyTorch eager on the same GPU, in one script. Run with a CUDA PyTorch (the python3 that holds it); our binary
must be built against that PyTorch's libtorch (scripts/build-cuda.sh).

Per shape (default configs/models/qwen3-1.7b.json, the paper's model, random weights), bfloat16:
  forward tokens/s and forward+backward tokens/s (batch 4 x seq 512), and cached greedy
  decoding tokens/s (batch 40 = 4 users x 10 beams, prompt 256, 32 new tokens); best of --iters timed runs
  after a warm-up, each ended by a device synchronisation.
Peers: "eager" (HF's eager attention: matmul + fp32 softmax) and "sdpa" (HF's default on GPU: the same masked
attention in torch.nn.functional.scaled_dot_product_attention). Ours uses at::scaled_dot_product_attention on
libtorch 2.x. Also achieved TFLOP/s (matmul FLOPs from the shapes; backward = 2x forward).

Usage: bench/gpu_model_bench.py [--build build-cuda] [--shapes qwen3-1.7b] [--iters 3] [--modes forward,train,decode]
                                [--device cuda] [--dtype bfloat16]   (--device cpu: a smoke run of the script itself)
"""
import argparse
import json
import os
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eager_qwen3 import EagerQwen3, bench_step  # noqa: E402
from model_bench import flops_per_token  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = {"forward": (4, 512), "train": (4, 512), "decode": (40, 256)}  # (batch, seq or prompt)
NEW_TOKENS = 32


def synchronize(device):
    if device == "cuda":
        torch.cuda.synchronize()


def peer_run(c, attention, mode, iters, device, dtype):
    torch.manual_seed(0)
    with torch.device(device):
        model = EagerQwen3(c, attention).to(getattr(torch, dtype))
    batch, seq = SHAPES[mode]

    def step():
        with torch.device(device):  # the peer builds its masks and positions on the default device
            return bench_step(model, mode, batch, seq, NEW_TOKENS)

    step()
    synchronize(device)
    best = 1e30
    for _ in range(iters):
        t0 = time.perf_counter()
        tokens = step()
        synchronize(device)
        best = min(best, time.perf_counter() - t0)
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return tokens / best


def ours_run(bench_bin, cfg_path, modes, iters, device, dtype):
    # One process for all modes: the model is initialised (on the CPU, then moved) once.
    batch, seq = SHAPES["forward"]
    cmd = [bench_bin, "--config", cfg_path, "--mode", ",".join(modes), "--device", device, "--dtype", dtype,
           "--iters", str(iters), "--batch", str(batch), "--seq", str(seq), "--decode-batch",
           str(SHAPES["decode"][0]), "--prompt", str(SHAPES["decode"][1]), "--new-tokens", str(NEW_TOKENS),
           "--threads", "8"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"  ours failed: {result.stderr.strip()[-2000:]}", flush=True)
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {r["mode"]: r["tokens_per_s"] for r in rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-cuda"))
    ap.add_argument("--shapes", default="qwen3-1.7b")
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--modes", default="forward,train,decode")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", default="bfloat16")
    args = ap.parse_args()
    bench_bin = os.path.join(args.build, "bench", "model_bench")
    modes = args.modes.split(",")
    name = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    print(f"torch {torch.__version__}, {name}, {args.dtype}; shapes {SHAPES} "
          f"(decode: +{NEW_TOKENS} tokens); best of {args.iters}", flush=True)
    print(f"{'shape':11} {'mode':8} {'ours tok/s':>11} {'eager tok/s':>12} {'sdpa tok/s':>11} "
          f"{'vs eager':>8} {'vs sdpa':>8} {'ours TF/s':>9}", flush=True)
    for shape in args.shapes.split(","):
        cfg_path = os.path.join(ROOT, "configs", "models", shape + ".json")
        with open(cfg_path) as f:
            c = json.load(f)
        ours = ours_run(bench_bin, cfg_path, modes, args.iters, args.device, args.dtype)
        for mode in modes:
            eager = peer_run(c, "eager", mode, args.iters, args.device, args.dtype)
            sdpa = peer_run(c, "sdpa", mode, args.iters, args.device, args.dtype)
            mine = ours.get(mode, float("nan"))
            seq = SHAPES[mode][1]
            tf = mine * flops_per_token(c, mode, seq, seq, NEW_TOKENS) / 1e12
            print(f"{shape:11} {mode:8} {mine:11.0f} {eager:12.0f} {sdpa:11.0f} {mine / eager:8.2f} "
                  f"{mine / sdpa:8.2f} {tf:9.1f}", flush=True)


if __name__ == "__main__":
    main()
