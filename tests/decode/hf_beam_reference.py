"""Independent reference: Hugging Face's beam search (BeamSearchScorer semantics, transformers 4.3x-4.4x) with a
prefix_allowed_tokens_fn constraint, written from HF's algorithm as the reference evaluation uses it
(sidreasoner.md §6.1): every prompt is repeated num_beams times, beams 1.. start at -1e9, log_softmax over the
full vocabulary, -inf mask on disallowed tokens, top 2B over B x V, end tokens ranked below B become finished
hypotheses, early_stopping=True, length_penalty=0.

Usage: hf_beam_reference.py INPUT.json OUTPUT.json
INPUT: a list of runs, each {"first": VxV, "second": VxV (the toy model: logits = first[last] + second[before_last]),
        "prompts": [[ids]], "sequences": [[ids]] (allowed continuations), "beams": B, "end": id,
        "max_new_tokens": n}
OUTPUT: per run, [[{"tokens": [...], "score": s}, ...] per prompt], finite-score hypotheses, best first.
"""
import json
import math
import sys

import torch


def run(spec):
    first = torch.tensor(spec["first"], dtype=torch.float32)
    second = torch.tensor(spec["second"], dtype=torch.float32)
    vocab = first.shape[0]
    beams = spec["beams"]
    end = spec["end"]

    def logits_of(history):
        before = history[-2] if len(history) >= 2 else 0
        return first[history[-1]] + second[before]

    # The reference's constraint map: tokens generated so far -> allowed next tokens; unknown key -> [end].
    allowed = {}
    for seq in spec["sequences"]:
        for k in range(len(seq)):
            allowed.setdefault(tuple(seq[:k]), set()).add(seq[k])

    prompts = spec["prompts"]
    n = len(prompts)
    ids = [list(p) for p in prompts for _ in range(beams)]
    prompt_len = [len(p) for p in prompts for _ in range(beams)]
    beam_scores = torch.zeros(n, beams)
    beam_scores[:, 1:] = -1e9
    beam_scores = beam_scores.view(-1)
    hyps = [[] for _ in range(n)]
    done = [False] * n

    def add(b, tokens, score):
        h = hyps[b]
        worst = min((s for s, _ in h), default=1e9)
        if len(h) < beams or score > worst:
            h.append((score, tokens))
            if len(h) > beams:
                ordered = sorted([(s, i) for i, (s, _) in enumerate(h)])
                del h[ordered[0][1]]

    for _step in range(spec["max_new_tokens"]):
        logits = torch.stack([logits_of(h) for h in ids])
        scores = torch.log_softmax(logits, dim=-1)
        mask = torch.full_like(scores, -math.inf)
        for r, h in enumerate(ids):
            for t in allowed.get(tuple(h[prompt_len[r]:]), {end}):
                mask[r, t] = 0
        scores = scores + mask
        next_scores = (scores + beam_scores[:, None]).view(n, beams * vocab)
        next_scores, next_tokens = torch.topk(next_scores, 2 * beams, dim=1, largest=True, sorted=True)
        next_indices = next_tokens // vocab
        next_tokens = next_tokens % vocab

        new_scores = torch.zeros(n, beams)
        new_tokens = torch.zeros(n, beams, dtype=torch.long)
        new_rows = torch.zeros(n, beams, dtype=torch.long)
        for b in range(n):
            if done[b]:
                new_rows[b] = b * beams
                continue
            filled = 0
            for rank in range(2 * beams):
                token = int(next_tokens[b, rank])
                score = float(next_scores[b, rank])
                row = b * beams + int(next_indices[b, rank])
                if token == end:
                    if rank >= beams:
                        continue
                    add(b, ids[row] + [token], score)
                else:
                    new_scores[b, filled] = score
                    new_tokens[b, filled] = token
                    new_rows[b, filled] = row
                    filled += 1
                if filled == beams:
                    break
            done[b] = done[b] or len(hyps[b]) >= beams  # early_stopping=True
        ids = [ids[int(r)] + [int(t)] for r, t in zip(new_rows.view(-1), new_tokens.view(-1))]
        beam_scores = new_scores.view(-1)
        if all(done):
            break

    out = []
    for b in range(n):
        if not done[b]:
            for k in range(beams):
                add(b, ids[b * beams + k], float(beam_scores[b * beams + k]))
        ordered = sorted(hyps[b], key=lambda x: x[0])
        best = []
        while ordered and len(best) < beams:
            score, tokens = ordered.pop()
            if math.isfinite(score) and score > -1e8:
                best.append({"tokens": tokens[len(prompts[b]):], "score": score})
        out.append(best)
    return out


def main():
    specs = json.load(open(sys.argv[1]))
    json.dump([run(spec) for spec in specs], open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
