#!/usr/bin/python3
"""Model throughput, ours vs the same model in PyTorch eager (python3-torch), same threads, one script.

For each small shape (configs/models/qwen3-3m.json, qwen3-15m.json) and each thread count (1, 2):
  forward tokens/s and forward+backward tokens/s at batch 32 x seq 128, and incremental greedy decoding
  tokens/s with a KV cache (batch 8, prompt 16, 32 new tokens); best of --iters timed runs after a warm-up.
Both wall-clock and CPU-time rates are printed: on a shared, oversubscribed machine tokens per CPU-second
tracks the work each implementation does more steadily than wall time. Also achieved GFLOP/s (matmul FLOPs counted from the shapes; backward = 2x forward) against the GEMM peak
that `sidreasoner doctor` measures.

The eager model follows Hugging Face's Qwen3 modeling code (eager attention: repeat_kv, matmul, fp32 softmax,
additive causal mask built once per forward).

Usage: bench/model_bench.py [--build build] [--iters 2] [--shapes qwen3-3m,qwen3-15m] [--threads 1,2]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from torch_peer import set_threads  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eager_qwen3 import EagerQwen3, bench_step  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def eager_run(c, mode, threads, iters, batch, seq, prompt, new_tokens):
    set_threads(threads)
    torch.manual_seed(0)
    model = EagerQwen3(c)

    def step():
        return bench_step(model, mode, batch, prompt if mode == "decode" else seq, new_tokens)

    step()
    best, best_cpu = 1e30, 1e30
    for _ in range(iters):
        t0, c0 = time.perf_counter(), time.process_time()
        tokens = step()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best = min(best, time.perf_counter() - t0)
    return tokens / best, tokens / best_cpu


def flops_per_token(c, mode, seq, prompt, new_tokens):
    """Matmul FLOPs per processed token (forward; train = 3x)."""
    hs, L, H, KV, D = c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    weights = hs * H * D * 2 + hs * KV * D * 2 + 3 * hs * c["intermediate_size"]
    if mode == "decode":
        context = prompt + new_tokens / 2  # mean keys attended per generated token
    else:
        context = seq  # the full T x T score matrix is computed
    fwd = 2 * L * weights + 2 * hs * c["vocab_size"] + L * 4 * context * H * D
    return fwd * (3 if mode == "train" else 1)


def gemm_peak(sidr_bin, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sidr_bin, "doctor"], capture_output=True, text=True, env=env).stdout
    m = re.search(r"sgemm 1024\s+([\d.]+)", out)
    t = re.search(r"intra-op threads\s+(\d+)", out)
    return (float(m.group(1)) if m else float("nan")), (int(t.group(1)) if t else -1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--iters", type=int, default=2)
    ap.add_argument("--shapes", default="qwen3-3m,qwen3-15m")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--modes", default="forward,train,decode")
    args = ap.parse_args()
    bench_bin = os.path.join(args.build, "bench", "model_bench")
    sidr_bin = os.path.join(args.build, "sidreasoner")
    batch, seq, dec_batch, prompt, new_tokens = 32, 128, 8, 16, 32
    print(f"torch {torch.__version__}; batch {batch} x seq {seq}; decode: batch {dec_batch}, prompt {prompt}, "
          f"{new_tokens} new tokens; best of {args.iters}")
    print(f"{'shape':10} {'thr':>3} {'mode':8} {'ours tok/s':>11} {'eager tok/s':>11} {'ratio':>6} "
          f"{'ours tok/cpu-s':>14} {'eager tok/cpu-s':>15} {'ratio':>6} {'ours GF/s':>9} {'peak GF/s':>9} {'of peak':>7}")
    for threads in [int(t) for t in args.threads.split(",")]:
        peak, doctor_threads = gemm_peak(sidr_bin, threads)
        for shape in args.shapes.split(","):
            cfg_path = os.path.join(ROOT, "configs", "models", shape + ".json")
            with open(cfg_path) as f:
                c = json.load(f)
            for mode in args.modes.split(","):
                b = dec_batch if mode == "decode" else batch
                cmd = [bench_bin, "--config", cfg_path, "--mode", mode, "--threads", str(threads),
                       "--iters", str(args.iters), "--batch", str(b), "--seq", str(seq), "--prompt", str(prompt),
                       "--new-tokens", str(new_tokens)]
                result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
                ours, ours_cpu = result["tokens_per_s"], result["tokens_per_cpu_s"]
                eager, eager_cpu = eager_run(c, mode, threads, args.iters, b, seq, prompt, new_tokens)
                gf = ours * flops_per_token(c, mode, seq, prompt, new_tokens) / 1e9
                print(f"{shape:10} {threads:>3} {mode:8} {ours:11.0f} {eager:11.0f} {ours / eager:6.2f} "
                      f"{ours_cpu:14.0f} {eager_cpu:15.0f} {ours_cpu / eager_cpu:6.2f} "
                      f"{gf:9.1f} {peak:9.1f} {gf / peak:7.0%}", flush=True)
        if doctor_threads != threads:
            print(f"  (note: doctor ran its GEMM with {doctor_threads} threads for this row group)")


if __name__ == "__main__":
    main()
