#!/usr/bin/python3
"""PyTorch-eager peer of `sidreasoner sft` for bench/sft_bench.sh: the same Qwen3 shape, the same encoded samples
(JSONL from `sft --save-samples`), the same global batch, micro-batches and left padding, AdamW and clipping, but the
loss computed the reference way (HF): logits over every position, shift, cross-entropy with ignore_index=-100,
summed and divided by the label tokens of the accumulated batch.

Prints one JSON line: {"tokens_per_s": ..., "peak_rss_mb": ..., "steps": ...}.
"""
import argparse
import json
import os
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from torch_peer import set_threads  # noqa: E402


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat((-x[..., d:], x[..., :d]), dim=-1)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, KV, D, E, I = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["hidden_size"], c["intermediate_size"]
        self.H, self.KV, self.D = H, KV, D
        self.input_layernorm = RMSNorm(E, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(E, c["rms_norm_eps"])
        self.q_proj = nn.Linear(E, H * D, bias=False)
        self.k_proj = nn.Linear(E, KV * D, bias=False)
        self.v_proj = nn.Linear(E, KV * D, bias=False)
        self.o_proj = nn.Linear(H * D, E, bias=False)
        self.q_norm = RMSNorm(D, c["rms_norm_eps"])
        self.k_norm = RMSNorm(D, c["rms_norm_eps"])
        self.gate_proj = nn.Linear(E, I, bias=False)
        self.up_proj = nn.Linear(E, I, bias=False)
        self.down_proj = nn.Linear(I, E, bias=False)

    def forward(self, x, cos, sin, bias):
        B, T, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_norm(self.q_proj(h).view(B, T, self.H, self.D)).transpose(1, 2)
        k = self.k_norm(self.k_proj(h).view(B, T, self.KV, self.D)).transpose(1, 2)
        v = self.v_proj(h).view(B, T, self.KV, self.D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(self.H // self.KV, dim=1)
        v = v.repeat_interleave(self.H // self.KV, dim=1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(self.D) + bias  # eager attention, as HF's "eager"
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, self.H * self.D)
        x = x + self.o_proj(a)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Qwen3(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=c.get("initializer_range", 0.02))

    def forward(self, ids, mask):  # (B, T) -> logits (B, T, V) over every position
        B, T = ids.shape
        D = self.c["head_dim"]
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        inv = 1.0 / (self.c["rope_theta"] ** (torch.arange(0, D, 2, dtype=torch.float32) / D))
        ang = pos.float()[..., None] * inv
        ang = torch.cat([ang, ang], -1)
        cos, sin = ang.cos()[:, None], ang.sin()[:, None]
        allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))[None] & mask.bool()[:, None, :]
        bias = torch.zeros(B, 1, T, T).masked_fill(~allowed[:, None], torch.finfo(torch.float32).min)
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, bias)
        return self.norm(x) @ self.embed_tokens.weight.T  # tied head


def collate(samples, rows, pad):
    T = max(len(samples[r]["input_ids"]) for r in rows)
    ids = torch.full((len(rows), T), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    labels = torch.full((len(rows), T), -100, dtype=torch.long)
    for b, r in enumerate(rows):
        s = samples[r]
        n = len(s["input_ids"])
        ids[b, T - n:] = torch.tensor(s["input_ids"])
        mask[b, T - n:] = 1
        labels[b, T - n:] = torch.tensor(s["labels"])
        labels[b, T - n] = -100
    return ids, mask, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--micro-batch", type=int, required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--pad", type=int, default=0)
    a = ap.parse_args()
    set_threads(a.threads)
    torch.manual_seed(0)
    c = json.load(open(a.config))
    samples = [json.loads(line) for line in open(a.samples)]
    c["vocab_size"] = max(c["vocab_size"], 1 + max(max(s["input_ids"]) for s in samples))
    model = Qwen3(c)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    rates = []
    for step in range(a.steps):
        rows = list(range(step * a.batch, (step + 1) * a.batch))
        rows = [r % len(samples) for r in rows]
        rows.sort(key=lambda r: -len(samples[r]["input_ids"]))  # the same length-sorted micro-batches as ours
        start = time.perf_counter()
        micro = [collate(samples, rows[i:i + a.micro_batch], a.pad) for i in range(0, len(rows), a.micro_batch)]
        n_labels = sum(int((lab[:, 1:] != -100).sum()) for _, _, lab in micro)
        tokens = sum(int(m.sum()) for _, m, _ in micro)
        opt.zero_grad(set_to_none=True)
        for ids, mask, labels in micro:
            logits = model(ids, mask)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                                   ignore_index=-100, reduction="sum") / n_labels
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        rates.append(tokens / (time.perf_counter() - start))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tokens_per_s": statistics.median(rates[1:] if len(rates) > 1 else rates),
                      "peak_rss_mb": rss, "steps": a.steps}))


if __name__ == "__main__":
    main()
