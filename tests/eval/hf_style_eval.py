#!/usr/bin/python3
"""The reference's evaluation algorithm in python3-torch, independent of our C++ code: Hugging Face's beam search
(BeamSearchScorer semantics) with a prefix_allowed_tokens_fn-style constraint, as HP evaluate_Qwen3.py runs it:
each prompt is repeated num_beams times (beams 1.. start at -1e9), a KV cache that is reordered every step,
log_softmax over the full vocabulary, a -inf mask from a dict of "tokens generated so far -> allowed next tokens",
top 2B over B x V, early_stopping=True, length_penalty=0. The model is an eager Qwen3 forward written here from
the safetensors file (an independent reader).

Used as the truth in tests/eval/test_evaluate_cli.sh and as the peer in bench/eval_bench.sh.

Usage: hf_style_eval.py --model DIR --prompts PREDICTIONS.json (rows with "prompt_ids") --catalog INDEX.json
                        --beams B [--limit N] [--batch-size 8] --out OUT.json
OUT: {"rows": [{"predict": [...], "scores": [...]}], "seconds": s, "users_per_second": r, "peak_memory_mib": m}
"""
import argparse
import json
import math
import resource
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from torch_peer import read_safetensors, rms_norm, rotate_half, set_threads  # noqa: E402


class CachedQwen3:
    """Eager Qwen3 forward with a per-layer KV cache (the cost model of HF's eager generate)."""

    def __init__(self, model_dir):
        self.cfg = json.load(open(f"{model_dir}/config.json"))
        self.W = read_safetensors(f"{model_dir}/model.safetensors")
        c = self.cfg
        self.H, self.KV, self.D = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        self.eps = c["rms_norm_eps"]
        self.inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, self.D, 2, dtype=torch.float64) / self.D))
        self.head = self.W.get("lm_head.weight", self.W["model.embed_tokens.weight"])

    def forward(self, ids, mask, cache):
        """ids (B, T) new tokens; mask (B, S) over past + new; cache: list of (k, v) or None. -> logits (B, V)."""
        B, T = ids.shape
        past = 0 if cache[0] is None else cache[0][0].shape[2]
        pos = (mask.cumsum(-1) - 1).clamp(min=0)[:, past:]  # (B, T)
        ang = pos.double()[..., None] * self.inv_freq
        ang = torch.cat([ang, ang], -1)
        cos, sin = ang.cos().float()[:, None], ang.sin().float()[:, None]
        S = past + T
        allowed = torch.ones(T, S, dtype=torch.bool).tril(past)[None] & mask.bool()[:, None, :]  # (B, T, S)
        x = self.W["model.embed_tokens.weight"][ids]
        H, KV, D, W = self.H, self.KV, self.D, self.W
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"model.layers.{i}."
            h = rms_norm(x, W[p + "input_layernorm.weight"], self.eps)
            q = (h @ W[p + "self_attn.q_proj.weight"].T).view(B, T, H, D)
            k = (h @ W[p + "self_attn.k_proj.weight"].T).view(B, T, KV, D)
            v = (h @ W[p + "self_attn.v_proj.weight"].T).view(B, T, KV, D).transpose(1, 2)
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], self.eps).transpose(1, 2)
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], self.eps).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache[i] is not None:
                k = torch.cat([cache[i][0], k], 2)
                v = torch.cat([cache[i][1], v], 2)
            cache[i] = (k, v)
            kk = k.repeat_interleave(H // KV, dim=1)
            vv = v.repeat_interleave(H // KV, dim=1)
            s = (q @ kk.transpose(-1, -2)) / math.sqrt(D)
            s = s.masked_fill(~allowed[:, None], torch.finfo(s.dtype).min)
            a = (s.softmax(-1) @ vv).transpose(1, 2).reshape(B, T, H * D)
            x = x + a @ W[p + "self_attn.o_proj.weight"].T
            h = rms_norm(x, W[p + "post_attention_layernorm.weight"], self.eps)
            g = h @ W[p + "mlp.gate_proj.weight"].T
            u = h @ W[p + "mlp.up_proj.weight"].T
            x = x + (torch.nn.functional.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
        x = rms_norm(x[:, -1], W["model.norm.weight"], self.eps)
        return x @ self.head.T


def vocab_ids(model_dir):
    tok = json.load(open(f"{model_dir}/tokenizer.json"))
    ids = dict(tok["model"]["vocab"])
    for t in tok["added_tokens"]:
        ids[t["content"]] = t["id"]
    return ids


def build_allowed(sids, ids):
    """The reference's map: generated-so-far -> allowed next (SID tokens, "\\n" = byte-level "Ċ", then eos)."""
    newline, eos = ids["Ċ"], ids["<|im_end|>"]
    allowed, by_seq = {}, {}
    for sid in sids:
        toks = [ids[t + ">"] for t in sid.split(">")[:-1]] + [newline, eos]
        by_seq[tuple(toks)] = sid
        for k in range(len(toks)):
            allowed.setdefault(tuple(toks[:k]), set()).add(toks[k])
    return allowed, by_seq, eos


def beam_search(model, prompts, allowed, eos, beams, max_new_tokens=256):
    n = len(prompts)
    rows = [p for p in prompts for _ in range(beams)]  # HF: every prompt repeated num_beams times
    width = max(len(p) for p in rows)
    ids = torch.full((len(rows), width), eos, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for r, p in enumerate(rows):
        ids[r, width - len(p) :] = torch.tensor(p)
        mask[r, width - len(p) :] = 1
    cache = [None] * model.cfg["num_hidden_layers"]
    generated = [[] for _ in rows]
    beam_scores = torch.zeros(n, beams)
    beam_scores[:, 1:] = -1e9
    beam_scores = beam_scores.view(-1)
    hyps = [[] for _ in range(n)]
    done = [False] * n
    vocab = model.head.shape[0]

    def add(b, tokens, score):
        h = hyps[b]
        if len(h) < beams or score > min(s for s, _ in h):
            h.append((score, tokens))
            if len(h) > beams:
                del h[sorted([(s, i) for i, (s, _) in enumerate(h)])[0][1]]

    logits = model.forward(ids, mask, cache)
    for _ in range(max_new_tokens):
        scores = torch.log_softmax(logits.float(), -1)
        constraint = torch.full_like(scores, -math.inf)  # prefix_allowed_tokens_fn
        for r, g in enumerate(generated):
            constraint[r, list(allowed.get(tuple(g), {eos}))] = 0
        next_scores = (scores + constraint + beam_scores[:, None]).view(n, beams * vocab)
        next_scores, next_tokens = torch.topk(next_scores, 2 * beams, dim=1)
        next_indices, next_tokens = next_tokens // vocab, next_tokens % vocab
        new_scores, new_tokens = torch.zeros(n, beams), torch.full((n, beams), eos, dtype=torch.long)
        new_rows = torch.zeros(n, beams, dtype=torch.long)
        for b in range(n):
            if done[b]:
                new_rows[b] = b * beams
                continue
            filled = 0
            for rank in range(2 * beams):
                token, score = int(next_tokens[b, rank]), float(next_scores[b, rank])
                row = b * beams + int(next_indices[b, rank])
                if token == eos:
                    if rank < beams:
                        add(b, generated[row] + [token], score)
                else:
                    new_scores[b, filled], new_tokens[b, filled], new_rows[b, filled] = score, token, row
                    filled += 1
                if filled == beams:
                    break
            done[b] = done[b] or len(hyps[b]) >= beams
        if all(done):
            break
        index = new_rows.view(-1)
        generated = [generated[int(r)] + [int(t)] for r, t in zip(index, new_tokens.view(-1))]
        beam_scores = new_scores.view(-1)
        cache = [(k.index_select(0, index), v.index_select(0, index)) for k, v in cache]
        mask = torch.cat([mask.index_select(0, index), torch.ones(len(rows), 1, dtype=torch.long)], 1)
        logits = model.forward(new_tokens.view(-1, 1), mask, cache)
    out = []
    for b in range(n):
        ordered = sorted(hyps[b], key=lambda x: x[0])
        best = []
        while ordered and len(best) < beams:
            best.append(ordered.pop())
        out.append([(s, t) for s, t in best if math.isfinite(s)])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True)
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--beams", type=int, default=10)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.threads:
        set_threads(a.threads)
    rows = json.load(open(a.prompts))
    if a.limit:
        rows = rows[: a.limit]
    sids = sorted({"".join(v) for v in json.load(open(a.catalog)).values()})
    model = CachedQwen3(a.model)
    allowed, by_seq, eos = build_allowed(sids, vocab_ids(a.model))
    results = []
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(rows), a.batch_size):
            batch = [r["prompt_ids"] for r in rows[i : i + a.batch_size]]
            for hyps in beam_search(model, batch, allowed, eos, a.beams):
                results.append({"predict": [by_seq.get(tuple(t), "") for _, t in hyps], "scores": [s for s, _ in hyps]})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    json.dump({"rows": results, "seconds": seconds, "users_per_second": len(rows) / seconds,
               "peak_memory_mib": peak, "threads": torch.get_num_threads()}, open(a.out, "w"))


if __name__ == "__main__":
    main()
