"""SASRec parity with an independent PyTorch forward.

Trains our SASRec for one epoch on the shipped data, loads its model.pt into a PyTorch module written from
MiniOneRec's description (reference/minionerec.md section 10: heads split and concatenated along the batch,
1x1 Conv1d feed-forward, sign()-based key/query masks), ranks all items for every test row with a stable
argsort, converts to distinct SIDs the way calc.py scores them, and requires the same predictions and metrics.

Then `evaluate --sasrec` with a language model whose weights are all zero (so its next-token distribution is
exactly uniform, 1/V): every returned SID's beam score must be sum_t log((1-w)/V + w p(t | prefix)) for the
mean mixing and sum_t log(p(t | prefix)^w / sum_c p(c | prefix)^w) for the product, where p(t | prefix) is this
forward's item softmax (at the given temperature) summed over the items under each SID prefix; with two runs
(--sasrec-ensemble), of the mean of their softmaxes.
"""
import ast
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

BIN = os.environ["SIDR_BIN"]
SRC = os.environ["SIDR_SOURCE_DIR"]
DATA = os.path.join(SRC, "data", "Amazon")
NAME = "Industrial_and_Scientific"
STATE = 10


class Attention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.hidden, self.heads = hidden, heads
        self.linear_q = nn.Linear(hidden, hidden)
        self.linear_k = nn.Linear(hidden, hidden)
        self.linear_v = nn.Linear(hidden, hidden)

    def forward(self, queries, keys):
        q, k, v = self.linear_q(queries), self.linear_k(keys), self.linear_v(keys)
        size = self.hidden // self.heads
        q_ = torch.cat(torch.split(q, size, dim=2), dim=0)  # (h*B, L, d)
        k_ = torch.cat(torch.split(k, size, dim=2), dim=0)
        v_ = torch.cat(torch.split(v, size, dim=2), dim=0)
        scores = torch.bmm(q_, k_.transpose(1, 2)) / self.hidden ** 0.5
        fill = -2 ** 32 + 1
        key_mask = torch.sign(torch.abs(keys.sum(-1))).repeat(self.heads, 1).unsqueeze(1).repeat(1, queries.shape[1], 1)
        scores = torch.where(key_mask == 0, torch.full_like(scores, fill), scores)
        tril = torch.tril(torch.ones_like(scores[0])).unsqueeze(0).repeat(scores.shape[0], 1, 1)
        scores = torch.where(tril == 0, torch.full_like(scores, fill), scores)
        weights = torch.softmax(scores, -1)
        query_mask = torch.sign(torch.abs(queries.sum(-1))).repeat(self.heads, 1).unsqueeze(-1).repeat(1, 1, keys.shape[1])
        out = torch.bmm(weights * query_mask, v_)
        out = torch.cat(torch.split(out, out.shape[0] // self.heads, dim=0), dim=2)
        return out + queries


class FeedForward(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.w_1 = nn.Conv1d(hidden, hidden, 1)
        self.w_2 = nn.Conv1d(hidden, hidden, 1)
        self.layer_norm = nn.LayerNorm(hidden)

    def forward(self, x):
        out = self.w_2(F.relu(self.w_1(x.transpose(1, 2)))).transpose(1, 2)
        return self.layer_norm(out + x)


class SASRec(nn.Module):
    def __init__(self, hidden, items, heads):
        super().__init__()
        self.items = items
        self.item_embeddings = nn.Embedding(items + 1, hidden)
        self.positional_embeddings = nn.Embedding(STATE, hidden)
        self.ln_1, self.ln_2, self.ln_3 = nn.LayerNorm(hidden), nn.LayerNorm(hidden), nn.LayerNorm(hidden)
        self.mh_attn = Attention(hidden, heads)
        self.feed_forward = FeedForward(hidden)
        self.s_fc = nn.Linear(hidden, items)

    def forward(self, states, lengths):
        seq = self.item_embeddings(states) + self.positional_embeddings(torch.arange(STATE))
        mask = torch.ne(states, self.items).float().unsqueeze(-1)
        seq = seq * mask
        out = self.feed_forward(self.ln_2(self.mh_attn(self.ln_1(seq), seq)))
        out = self.ln_3(out * mask)
        index = (lengths - 1).view(-1, 1, 1).repeat(1, 1, out.shape[2])
        return self.s_fc(torch.gather(out, 1, index).squeeze(1))


def train_and_load(work, name, seed):
    """One epoch of our SASRec, read back into the independent forward."""
    run = os.path.join(work, name)
    subprocess.run([BIN, "baseline", "sasrec", "--data", DATA, "--dataset", NAME, "--epochs", "1", "--heads", "2",
                    "--seed", str(seed), "--no-progress", "--out", run], check=True, stdout=subprocess.DEVNULL)
    state = torch.jit.load(os.path.join(run, "model.pt")).state_dict()
    model = SASRec(state["s_fc.weight"].shape[1], state["s_fc.weight"].shape[0], 2)
    for key in ("feed_forward.w_1.weight", "feed_forward.w_2.weight"):
        state[key] = state[key].unsqueeze(-1)  # Linear (out, in) -> Conv1d (out, in, 1)
    model.load_state_dict(state)
    model.eval()
    return run, model


def main():
    work = tempfile.mkdtemp()
    run, model = train_and_load(work, "run", 1)
    items = model.items

    index = json.load(open(os.path.join(DATA, "index", f"{NAME}.index.json")))
    sid_of = ["".join(index[str(i)]) for i in range(items)]
    rows = list(csv.DictReader(open(os.path.join(DATA, "test", f"{NAME}_5_2016-10-2018-11.csv"))))
    histories = [ast.literal_eval(r["history_item_id"])[-STATE:] for r in rows]
    states = torch.tensor([h + [items] * (STATE - len(h)) for h in histories])
    lengths = torch.tensor([len(h) for h in histories])
    with torch.no_grad():
        logits = model(states, lengths)
    ranked = torch.sort(logits, dim=1, descending=True, stable=True).indices[:, :60].tolist()

    preds = json.load(open(os.path.join(run, "predictions.json")))
    metrics = json.load(open(os.path.join(run, "metrics.json")))
    assert len(preds) == len(rows)
    same = 0
    hits = {k: 0.0 for k in (1, 3, 5, 10)}
    ndcg = {k: 0.0 for k in (1, 3, 5, 10)}
    for row, order, pred in zip(rows, ranked, preds):
        sids = []
        for item in order:
            if sid_of[item] not in sids:
                sids.append(sid_of[item])
            if len(sids) == 10:
                break
        same += sids == pred["predict"]
        assert pred["output"] == row["item_sid"] + "\n"
        rank = sids.index(row["item_sid"]) if row["item_sid"] in sids else None
        for k in hits:
            if rank is not None and rank < k:
                hits[k] += 1
                ndcg[k] += 1 / math.log2(rank + 2)
    # float summation order differs between the two forwards; allow a handful of near-tie swaps
    assert same >= 0.995 * len(rows), f"only {same}/{len(rows)} rows agree"
    for k in hits:
        assert abs(hits[k] / len(rows) - metrics[f"HR@{k}"]) < 2e-3, (k, hits[k] / len(rows), metrics[f"HR@{k}"])
        assert abs(ndcg[k] / len(rows) - metrics[f"NDCG@{k}"]) < 2e-3
    print(f"parity: {same}/{len(rows)} rows identical; HR@10 {hits[10] / len(rows):.4f} vs {metrics['HR@10']:.4f}")
    probs = torch.softmax(logits.double(), dim=1)
    check_fused_scores(work, [run], probs, sid_of)
    check_fused_scores(work, [run], probs, sid_of, mix="product", weight=0.3, temperature=2.0)
    check_fused_scores(work, [run], probs, sid_of, mix="mean", think=True, limit=12)
    # Two runs: their item distributions are averaged before mixing.
    other_run, other = train_and_load(work, "other", 2)
    with torch.no_grad():
        other_probs = torch.softmax(other(states, lengths).double(), dim=1)
    check_fused_scores(work, [run, other_run], (probs + other_probs) / 2, sid_of, mix="product", weight=0.3)


def check_fused_scores(work, runs, item_probs, sid_of, mix="mean", weight=0.4, temperature=1.0, limit=40, think=False):
    """Beam scores of `evaluate --sasrec` over an exactly uniform LM, recomputed here from the SASRec logits.

    think: in think mode, after a short greedy thought; the prior is neutral during the thought (the thought
    equals the one of the same run without SASRec) and its search after "</think>" scores as in plain mode.

    mean: each token scores log((1-w)/V + w q(t | prefix)); product: the uniform LM's factor cancels in the
    renormalisation, leaving log(q(t)^w / sum over the prefix's children c of q(c)^w). q is the item
    distribution item_probs^(1 / temperature), renormalised, summed over the items under each SID prefix.
    """
    lm = os.path.join(work, "lm")
    if not os.path.isdir(lm):
        env = dict(os.environ, SIDR_BIN=BIN, SIDR_SOURCE_DIR=SRC)
        subprocess.run(["bash", os.path.join(SRC, "tests", "eval", "make_tiny_checkpoint.sh"), lm, "32", "2", "400",
                        "0"], check=True, env=env)
    out = os.path.join(work, f"fused_{mix}_{len(runs)}{'_think' if think else ''}")
    extra = [arg for other in runs[1:] for arg in ("--sasrec-ensemble", other)]
    common = ["--data", DATA, "--dataset", NAME, "--limit", str(limit), "--beams", "10", "--batch-size", "16",
              "--with-scores", "--quiet", "--threads", "1"]
    if think:
        common += ["--mode", "think", "--think-tokens", "6"]
    subprocess.run([BIN, "evaluate", "--model", lm, "--sasrec", runs[0], *extra, "--sasrec-weight", str(weight), "--sasrec-mix",
                    mix, "--sasrec-temperature", str(temperature), *common, "--out", out], check=True,
                   stdout=subprocess.DEVNULL)
    if think:
        subprocess.run([BIN, "evaluate", "--model", lm, *common, "--out", out + "_lm"], check=True,
                       stdout=subprocess.DEVNULL)
        lm_only = json.load(open(os.path.join(out + "_lm", "predictions.json")))
        fused = json.load(open(os.path.join(out, "predictions.json")))
        assert len(fused) == len(lm_only) == limit, (len(fused), len(lm_only))
        for a, b in zip(fused, lm_only):
            assert a["cot"] == b["cot"], (a["cot"], b["cot"])
    vocab = json.load(open(os.path.join(lm, "config.json")))["vocab_size"]
    uniform = (1 - weight) / vocab
    preds = json.load(open(os.path.join(out, "predictions.json")))
    probs = item_probs[:limit] ** (1 / temperature)
    probs = probs / probs.sum(dim=1, keepdim=True)
    split = [[t + ">" for t in s.split(">")[:-1]] for s in sid_of]
    checked = 0
    for row, pred in enumerate(preds):
        p = probs[row].tolist()
        assert pred["scores"] == sorted(pred["scores"], reverse=True), pred["scores"]
        for sid, score in zip(pred["predict"], pred["scores"]):
            tokens = [t + ">" for t in sid.split(">")[:-1]]
            want = 0.0
            for depth in range(len(tokens)):
                children = {}  # next token after tokens[:depth] -> item mass under it
                for i, item_tokens in enumerate(split):
                    if item_tokens[:depth] == tokens[:depth]:
                        children[item_tokens[depth]] = children.get(item_tokens[depth], 0.0) + p[i]
                q = {t: m / sum(children.values()) for t, m in children.items()}
                if mix == "mean":
                    want += math.log(uniform + weight * q[tokens[depth]])
                else:
                    want += weight * math.log(q[tokens[depth]]) - math.log(sum(v ** weight for v in q.values()))
            if mix == "mean":
                want += 2 * math.log(uniform + weight)  # "\n" and the end token: every item's path has them
            assert abs(want - score) < 5e-4, (mix, row, sid, want, score)
            checked += 1
    assert checked == 10 * limit, checked
    assert len(preds) == limit, len(preds)
    print(f"evaluate --sasrec ({len(runs)} runs) --sasrec-mix {mix}{' (think mode)' if think else ''}: {checked} beam "
          "scores equal the ones computed here")


if __name__ == "__main__":
    main()
