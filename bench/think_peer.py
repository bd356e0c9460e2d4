#!/usr/bin/python3
"""The reference's think-mode evaluation (sidreasoner.md §6.2) as two python3-torch passes, the peer of
bench/think_bench.sh:

1. an HF-style greedy thought: the think prompts in batches, left-padded, one eager cached forward per step for
   the whole batch (rows that finished keep being fed the pad token, as HF's generate does) until every row
   wrote "</think>" or the end token, or the budget is spent;
2. the closing the reference does to the text, at id level: cut before "</think>", drop trailing whitespace
   tokens, append the ids of "\\n</think>\\n\\n"; then a fresh prefill of prompt + thought and HF-style
   constrained beams (tests/eval/hf_style_eval.py's beam_search: each prompt repeated B times, dict constraint).

Same checkpoint and prompt ids as ours (`evaluate --mode think --with-prompt-ids`).
Usage: think_peer.py --model DIR --prompts PREDICTIONS.json --catalog INDEX.json --beams B --think-tokens N
                     [--limit N] [--batch-size 4] [--threads 1] --out OUT.json
OUT: {"rows": [{"thought": [...ids], "predict": [...], "scores": [...]}], "seconds", "users_per_second"}
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "eval"))
sys.path.insert(0, os.path.join(here, "..", "tests", "python"))
from hf_style_eval import CachedQwen3, beam_search, build_allowed, vocab_ids  # noqa: E402
from torch_peer import set_threads  # noqa: E402


def greedy_thoughts(model, prompts, stops, pad, max_new):
    n = len(prompts)
    width = max(len(p) for p in prompts)
    ids = torch.full((n, width), pad, dtype=torch.long)
    mask = torch.zeros(n, width, dtype=torch.long)
    for r, p in enumerate(prompts):
        ids[r, width - len(p):] = torch.tensor(p)
        mask[r, width - len(p):] = 1
    cache = [None] * model.cfg["num_hidden_layers"]
    out = [[] for _ in prompts]
    finished = [False] * n
    logits = model.forward(ids, mask, cache)
    for _ in range(max_new):
        tokens = logits.argmax(-1)
        for r in range(n):
            if finished[r]:
                tokens[r] = pad
                continue
            t = int(tokens[r])
            out[r].append(t)
            finished[r] = t in stops
        if all(finished):
            break
        mask = torch.cat([mask, torch.ones(n, 1, dtype=torch.long)], 1)
        logits = model.forward(tokens.view(-1, 1), mask, cache)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True)
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--beams", type=int, default=10)
    ap.add_argument("--think-tokens", type=int, default=128)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    set_threads(a.threads)
    torch.set_grad_enabled(False)
    model = CachedQwen3(a.model)
    ids = vocab_ids(a.model)
    sids = sorted({"".join(v) for v in json.load(open(a.catalog)).values()})
    allowed, by_seq, eos = build_allowed(sids, ids)
    close_think = ids["</think>"]
    close = [ids["Ċ"], close_think] + ([ids["ĊĊ"]] if "ĊĊ" in ids else [ids["Ċ"], ids["Ċ"]])
    blank = {i for t, i in ids.items() if t and all(c in "ĠĊĉč" for c in t)}
    rows = json.load(open(a.prompts))
    if a.limit:
        rows = rows[: a.limit]
    prompts = [r["prompt_ids"] for r in rows]
    start = time.time()
    results = []
    for b in range(0, len(prompts), a.batch_size):
        batch = prompts[b: b + a.batch_size]
        thoughts = greedy_thoughts(model, batch, {close_think, eos}, eos, a.think_tokens)
        contexts = []
        for p, t in zip(batch, thoughts):
            t = t[: t.index(close_think)] if close_think in t else t
            while t and t[-1] in blank:
                t = t[:-1]
            contexts.append((p + t + close)[:2560])
        found = beam_search(model, contexts, allowed, eos, a.beams)
        for t, hyps in zip(thoughts, found):
            results.append({"thought": t, "predict": [by_seq[tuple(h)] for _, h in hyps if tuple(h) in by_seq],
                            "scores": [s for s, h in hyps if tuple(h) in by_seq]})
    seconds = time.time() - start
    json.dump({"rows": results, "seconds": seconds, "users_per_second": len(results) / seconds,
               "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, open(a.out, "w"))


if __name__ == "__main__":
    main()
