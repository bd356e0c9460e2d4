"""Independent python3-torch GRPO losses, written from the reference's formulas (sidreasoner.md §5.3: verl's
compute_policy_loss "vanilla" with dual clip, low_var_kl, token-mean; minionerec.md §8.4: ReReTrainer's no-clip
loss, sequence mean). Reads a JSON case on stdin, prints the losses and their gradients w.r.t. the log-probs."""
import json
import sys

import torch


def verl_policy_loss(logp, old, adv, clip_low, clip_high, clip_c):
    negative_approx_kl = torch.clamp(logp - old, min=-20.0, max=20.0)
    ratio = torch.exp(negative_approx_kl)
    pg_losses1 = -adv * ratio
    pg_losses2 = -adv * torch.clamp(ratio, 1 - clip_low, 1 + clip_high)
    clip_pg_losses1 = torch.maximum(pg_losses1, pg_losses2)
    pg_losses3 = -adv * clip_c
    clip_pg_losses2 = torch.min(pg_losses3, clip_pg_losses1)
    return torch.where(adv < 0, clip_pg_losses2, clip_pg_losses1)


def low_var_kl(logp, ref):
    kl = torch.clamp(ref - logp, min=-20, max=20)
    ratio = torch.exp(kl)
    return torch.clamp(ratio - kl - 1, min=-10, max=10)


def main():
    case = json.load(sys.stdin)
    dt = torch.float64
    old = torch.tensor(case["old"], dtype=dt)
    ref = torch.tensor(case["ref"], dtype=dt)
    adv = torch.tensor(case["adv"], dtype=dt)
    seq = case["seq"]
    out = {}

    logp = torch.tensor(case["logp"], dtype=dt, requires_grad=True)
    mask = torch.ones_like(logp)
    pg = (verl_policy_loss(logp, old, adv, 0.2, 0.2, 3.0) * mask).sum() / mask.sum()
    kl = (low_var_kl(logp, ref) * mask).sum() / mask.sum()
    loss = pg + case["kl_coef"] * kl
    loss.backward()
    out["sidreasoner"] = {"loss": loss.item(), "policy": pg.item(), "kl": kl.item(), "grad": logp.grad.tolist()}

    # MiniOneRec: per completion (a padded row of a (B, C) matrix with its completion mask), then the mean.
    logp2 = torch.tensor(case["logp"], dtype=dt, requires_grad=True)
    n = case["sequences"]
    width = max(seq.count(i) for i in range(n))
    per_token_logps = torch.zeros(n, width, dtype=dt)
    ref_m = torch.zeros(n, width, dtype=dt)
    adv_rows = torch.zeros(n, dtype=dt)
    completion_mask = torch.zeros(n, width, dtype=dt)
    fill = [0] * n
    rows, cols = [], []
    for t, i in enumerate(seq):
        rows.append(i)
        cols.append(fill[i])
        ref_m[i, fill[i]] = ref[t]
        adv_rows[i] = adv[t]
        completion_mask[i, fill[i]] = 1
        fill[i] += 1
    per_token_logps = per_token_logps.index_put((torch.tensor(rows), torch.tensor(cols)), logp2)
    beta = case["beta"]
    per_token_kl = torch.exp(ref_m - per_token_logps) - (ref_m - per_token_logps) - 1
    per_token_loss = torch.exp(per_token_logps - per_token_logps.detach()) * adv_rows.unsqueeze(1)
    per_token_loss = -(per_token_loss - beta * per_token_kl)
    loss2 = ((per_token_loss * completion_mask).sum(dim=1) / completion_mask.sum(dim=1)).mean()
    loss2.backward()
    out["minionerec"] = {"loss": loss2.item(), "grad": logp2.grad.tolist()}
    json.dump(out, sys.stdout)


main()
