#!/usr/bin/python3
"""Independent reference for tests/train/updater_trajectory_test.cpp (llm.c's test_gpt2 in spirit).

Usage: updater_trajectory_reference.py DIR. DIR holds what the C++ test wrote: step-00/ (the initial tiny Qwen3,
HF layout), step-01/ .. step-10/ (our weights after each optimizer step) and trajectory.json (the optimizer
options, each step's two micro-batches as collated tensors, and our loss, gradient norm and learning rate).

From step-00's weights this script trains bench/eager_qwen3.py's EagerQwen3 (plain PyTorch, HF eager attention)
the textbook way: logits at every position, shifted cross-entropy with ignore_index=-100 summed and divided by the
step's label-token count over both micro-batches, one backward per micro-batch, clip_grad_norm_, HF's linear
warmup/decay written out here, torch.optim.AdamW. After every step it compares (float32 throughout):
  loss       |ours - ref| <= 1e-5 * max(1, |ref|)
  grad_norm  |ours - ref| <= 1e-5 * max(1, ref)     (the norm before clipping)
  lr         |ours - ref| <= 1e-12
  weights    max |ours - ref| <= WEIGHT_TOL over every tensor
Exit 0 when all hold, 1 (and a line per failure) otherwise.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
from torch_peer import read_safetensors  # noqa: E402
from eager_qwen3 import EagerQwen3  # noqa: E402

LOSS_TOL = 1e-5
GRAD_NORM_TOL = 1e-5
LR_TOL = 1e-12
WEIGHT_TOL = 1e-5


def to_eager_name(hf_name):
    """HF's model.layers.0.mlp.gate_proj.weight -> EagerQwen3's layers.0.gate_proj.weight."""
    name = hf_name[len("model."):] if hf_name.startswith("model.") else hf_name
    return name.replace(".mlp.", ".")


def load_weights(step_dir):
    return {to_eager_name(k): v for k, v in read_safetensors(os.path.join(step_dir, "model.safetensors")).items()}


def hf_linear_lr(step, peak, warmup, total):
    """transformers.get_linear_schedule_with_warmup's lambda times the peak."""
    if step < warmup:
        return peak * step / max(1, warmup)
    return peak * max(0.0, (total - step) / max(1, total - warmup))


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "trajectory.json")) as f:
        run = json.load(f)
    with open(os.path.join(root, "step-00", "config.json")) as f:
        cfg = json.load(f)
    torch.manual_seed(0)
    model = EagerQwen3(cfg)
    initial = load_weights(os.path.join(root, "step-00"))
    params = dict(model.named_parameters())
    if set(initial) != set(params):
        print(f"parameter names differ: ours only {sorted(set(initial) - set(params))}, "
              f"reference only {sorted(set(params) - set(initial))}")
        return 1
    with torch.no_grad():
        for name, value in initial.items():
            params[name].copy_(value)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=run["lr"], betas=tuple(run["betas"]), eps=run["eps"],
                                  weight_decay=run["weight_decay"])
    failures = []
    worst = {"loss": 0.0, "grad_norm": 0.0, "weights": 0.0}
    for s, step in enumerate(run["steps"]):
        batches = [{k: torch.tensor(v, dtype=torch.int64) for k, v in mb.items()} for mb in step["micro_batches"]]
        label_tokens = sum(int((b["labels"][:, 1:] != -100).sum()) for b in batches)
        optimizer.zero_grad(set_to_none=True)
        loss_total = 0.0
        for b in batches:
            logits = model(b["input_ids"], b["attention_mask"])  # (B, T, V)
            V = logits.shape[-1]
            loss_sum = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, V).float(),
                                                         b["labels"][:, 1:].reshape(-1), ignore_index=-100,
                                                         reduction="sum")
            (loss_sum / label_tokens).backward()
            loss_total += loss_sum.item()
        loss = loss_total / label_tokens
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), run["max_grad_norm"]).item()
        lr = hf_linear_lr(s, run["lr"], run["warmup_steps"], run["total_steps"])
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()

        ours = load_weights(os.path.join(root, f"step-{s + 1:02d}"))
        weight_diff = max((ours[n] - p.detach()).abs().max().item() for n, p in model.named_parameters())
        loss_diff = abs(step["loss"] - loss)
        norm_diff = abs(step["grad_norm"] - grad_norm)
        worst["loss"] = max(worst["loss"], loss_diff)
        worst["grad_norm"] = max(worst["grad_norm"], norm_diff)
        worst["weights"] = max(worst["weights"], weight_diff)
        print(f"step {s + 1:2d}: loss {loss:.6f} (ours {step['loss']:.6f}) grad_norm {grad_norm:.6f} "
              f"(ours {step['grad_norm']:.6f}) lr {lr:.5f} max |weight diff| {weight_diff:.2e}")
        if step["label_tokens"] != label_tokens:
            failures.append(f"step {s + 1}: label tokens {step['label_tokens']} vs {label_tokens}")
        if loss_diff > LOSS_TOL * max(1.0, abs(loss)):
            failures.append(f"step {s + 1}: loss {step['loss']} vs {loss}")
        if norm_diff > GRAD_NORM_TOL * max(1.0, grad_norm):
            failures.append(f"step {s + 1}: grad_norm {step['grad_norm']} vs {grad_norm}")
        if abs(step["lr"] - lr) > LR_TOL:
            failures.append(f"step {s + 1}: lr {step['lr']} vs {lr}")
        if weight_diff > WEIGHT_TOL:
            failures.append(f"step {s + 1}: weights differ by {weight_diff:.3e} > {WEIGHT_TOL}")
    print(f"worst: loss {worst['loss']:.2e}, grad_norm {worst['grad_norm']:.2e}, weights {worst['weights']:.2e}")
    for failure in failures:
        print("FAIL " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
