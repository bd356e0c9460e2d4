#!/usr/bin/python3
"""PyTorch-eager peer of one `sidreasoner rl` step for bench/rl_bench.sh, doing the same work on the same checkpoint:
the rollouts the C++ run made (--dump-rollouts), replayed HF-style (each prompt repeated G times and prefilled,
then one cached decoding step per token for the whole group until its longest completion ends, softmax +
multinomial every step, the C++ token fed so that the work is the same), the reference's log-probs (full
forward of prompt + completion, left-padded micro-batches), and SIDReasoner's loss (verl's clipped policy loss,
dual clip, low_var_kl, token-mean per micro-batch) with backward, clipping and an AdamW step.

Prints one JSON line: {"rollout_s", "reference_s", "update_s", "generated_tokens", "steps"}.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "python"))
from torch_peer import read_safetensors, set_threads  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eager_qwen3 import EagerQwen3  # noqa: E402


def load(model_dir):
    c = json.load(open(os.path.join(model_dir, "config.json")))
    model = EagerQwen3(c)
    # HF's model.layers.0.mlp.gate_proj.weight -> EagerQwen3's layers.0.gate_proj.weight (tied head: one tensor)
    weights = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    state = {(k[len("model."):] if k.startswith("model.") else k).replace(".mlp.", "."): v for k, v in weights.items()}
    state.pop("lm_head.weight", None)
    state["inv_freq"] = model.inv_freq
    model.load_state_dict(state, strict=True)
    return model, c


def replay_rollout(model, prompt, completions):
    """HF generate for one prompt's group: repeat, prefill, decode with the cache until the longest ends."""
    G = len(completions)
    ids = torch.tensor([prompt] * G)
    caches = [[None, None] for _ in model.layers]
    with torch.no_grad():
        logits = model(ids, caches=caches, past=0)[:, -1]
        steps = max(len(c) for c in completions)
        for t in range(steps):
            probs = F.softmax(logits.float(), -1)
            torch.multinomial(probs, 1)  # the draw HF makes; the C++ token is fed instead (same work)
            feed = torch.tensor([[c[t] if t < len(c) else c[-1]] for c in completions])
            logits = model(feed, caches=caches, past=len(prompt) + t)[:, -1]
    return G * steps


def collate(rows, pad):
    T = max(len(p) + len(c) for p, c, _ in rows)
    ids = torch.full((len(rows), T), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    labels = torch.full((len(rows), T), -100, dtype=torch.long)
    adv = torch.zeros((len(rows), T))
    for b, (p, c, a) in enumerate(rows):
        n = len(p) + len(c)
        ids[b, T - n:] = torch.tensor(p + c)
        mask[b, T - n:] = 1
        labels[b, T - len(c):] = torch.tensor(c)
        adv[b, T - len(c):] = a
    return ids, mask, labels, adv


def token_log_probs(model, ids, mask, labels):
    logits = model(ids, mask=mask)[:, :-1].float()
    target = labels[:, 1:]
    keep = target != -100
    logp = torch.log_softmax(logits, -1).gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return logp, keep


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--rollouts", required=True)
    ap.add_argument("--micro-batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--pad", type=int, required=True)
    a = ap.parse_args()
    set_threads(a.threads)
    policy, c = load(a.model)
    reference, _ = load(a.model)
    opt = torch.optim.AdamW(policy.parameters(), lr=1e-5, weight_decay=0.01)
    totals = {"rollout_s": 0.0, "reference_s": 0.0, "update_s": 0.0, "generated_tokens": 0, "steps": 0}
    for line in open(a.rollouts):
        step = json.loads(line)
        t0 = time.perf_counter()
        at = 0
        rows = []
        for p, g in zip(step["prompts"], step["group_sizes"]):
            group = step["completions"][at:at + g]
            totals["generated_tokens"] += sum(len(x) for x in group)
            replay_rollout(policy, p, group)
            rows += [(p, x, step["advantages"][at + j]) for j, x in enumerate(group)]
            at += g
        t1 = time.perf_counter()
        batches = [collate(rows[i:i + a.micro_batch], a.pad) for i in range(0, len(rows), a.micro_batch)]
        with torch.no_grad():
            refs = [token_log_probs(reference, ids, mask, labels)[0] for ids, mask, labels, _ in batches]
        t2 = time.perf_counter()
        opt.zero_grad()
        for (ids, mask, labels, adv), ref in zip(batches, refs):
            logp, keep = token_log_probs(policy, ids, mask, labels)
            A = adv[:, 1:]
            ratio = torch.exp(torch.clamp(logp - logp.detach(), -20, 20))
            l1, l2 = -A * ratio, -A * torch.clamp(ratio, 0.8, 1.2)
            lc = torch.maximum(l1, l2)
            pg = torch.where(A < 0, torch.minimum(lc, -A * 3.0), lc)
            d = torch.clamp(ref - logp, -20, 20)
            kl = torch.clamp(torch.exp(d) - d - 1, -10, 10)
            m = keep.float()
            loss = ((pg * m).sum() + 0.001 * (kl * m).sum()) / m.sum()
            (loss / len(batches)).backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        opt.step()
        t3 = time.perf_counter()
        totals["rollout_s"] += t1 - t0
        totals["reference_s"] += t2 - t1
        totals["update_s"] += t3 - t2
        totals["steps"] += 1
    print(json.dumps(totals))


main()
