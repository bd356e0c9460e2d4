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
import math
import os
import re
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from torch_peer import set_threads  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat((-x[..., d:], x[..., :d]), dim=-1)


def repeat_kv(x, n):
    if n == 1:
        return x
    b, kv, t, d = x.shape
    return x[:, :, None].expand(b, kv, n, t, d).reshape(b, kv * n, t, d)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv, self.d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        hs = c["hidden_size"]
        self.q_proj = nn.Linear(hs, self.h * self.d, bias=False)
        self.k_proj = nn.Linear(hs, self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(hs, self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.h * self.d, hs, bias=False)
        self.q_norm = RMSNorm(self.d, c["rms_norm_eps"])
        self.k_norm = RMSNorm(self.d, c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, cache):
        b, t, _ = x.shape
        q = self.q_norm(self.q_proj(x).view(b, t, self.h, self.d)).transpose(1, 2)
        k = self.k_norm(self.k_proj(x).view(b, t, self.kv, self.d)).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], 2)
                v = torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        k = repeat_kv(k, self.h // self.kv)
        v = repeat_kv(v, self.h // self.kv)
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.d) + mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        return self.o_proj(torch.matmul(w, v).transpose(1, 2).reshape(b, t, -1))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        hs, inter = c["hidden_size"], c["intermediate_size"]
        self.self_attn = Attention(c)
        self.gate_proj = nn.Linear(hs, inter, bias=False)
        self.up_proj = nn.Linear(hs, inter, bias=False)
        self.down_proj = nn.Linear(inter, hs, bias=False)
        self.input_layernorm = RMSNorm(hs, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(hs, c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, cache):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class EagerQwen3(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        d = c["head_dim"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2).float() / d)))
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=c["initializer_range"])

    def forward(self, ids, caches=None, past=0):
        b, t = ids.shape
        pos = torch.arange(past, past + t, dtype=torch.float32)
        freqs = pos[:, None] * self.inv_freq
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((t, past + t), torch.finfo(torch.float32).min).triu(past + 1)[None, None]
        x = self.embed_tokens(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, None if caches is None else caches[i])
        return self.norm(x) @ self.embed_tokens.weight.T


def eager_run(c, mode, threads, iters, batch, seq, prompt, new_tokens):
    set_threads(threads)
    torch.manual_seed(0)
    model = EagerQwen3(c)
    V = c["vocab_size"]

    def step():
        if mode == "forward":
            model.eval()
            with torch.no_grad():
                model(torch.randint(V, (batch, seq)))
            return batch * seq
        if mode == "train":
            model.train()
            ids = torch.randint(V, (batch, seq))
            loss = F.cross_entropy(model(ids).view(-1, V), ids.view(-1))
            model.zero_grad()
            loss.backward()
            return batch * seq
        model.eval()
        with torch.no_grad():
            caches = [[None, None] for _ in model.layers]
            ids = torch.randint(V, (batch, prompt))
            logits = model(ids, caches, 0)
            past = prompt
            for _ in range(new_tokens):
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                logits = model(nxt, caches, past)
                past += 1
        return batch * new_tokens

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
