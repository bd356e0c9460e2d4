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
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from torch_peer import set_threads  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eager_qwen3 import EagerQwen3  # noqa: E402


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
    model = EagerQwen3(c)
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
