#!/usr/bin/python3
"""Truth test: our Qwen3/Qwen2 forward (C++, libtorch) against an independent forward written here in
python3-torch over the same random checkpoint, read with an independent safetensors reader.

Checks (fp32, max |diff| <= 1e-4 over real positions):
  - a left-padded batch: full forward logits;
  - incremental decoding with the KV cache (prefill, then 1 token and then 3 tokens per step) == full forward;
  - `sidreasoner score` log-probs == log_softmax of the reference logits;
  - `sidreasoner generate` greedy ids == greedy argmax of the reference model.
for a tied Qwen3, an untied Qwen3 and a Qwen2 with q/k/v biases.
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from torch_peer import read_safetensors, rms_norm, rotate_half  # noqa: E402

SIDR_BIN = os.environ["SIDR_BIN"]
TOL = 1e-4


# ---- independent reference model ----------------------------------------------------------------
def reference_logits(cfg, W, ids, mask):
    """ids, mask: (B, T). Plain per-element formulas, explicit loops over layers, repeat_interleave for GQA."""
    B, T = ids.shape
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    qwen3 = cfg["model_type"] == "qwen3"
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0)  # (B, T)
    inv_freq = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    ang = pos.double()[..., None] * inv_freq  # (B, T, D/2)
    ang = torch.cat([ang, ang], -1)
    cos, sin = ang.cos().float()[:, None], ang.sin().float()[:, None]  # (B, 1, T, D)
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))[None] & mask.bool()[:, None, :]  # (B, T, T)
    x = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)

        def proj(name, inp):
            y = inp @ W[p + name + ".weight"].T
            if p + name + ".bias" in W:
                y = y + W[p + name + ".bias"]
            return y

        q = proj("self_attn.q_proj", h).view(B, T, H, D)
        k = proj("self_attn.k_proj", h).view(B, T, KV, D)
        v = proj("self_attn.v_proj", h).view(B, T, KV, D).transpose(1, 2)
        if qwen3:
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], eps)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(D)
        s = s.masked_fill(~allowed[:, None], float("-inf"))
        s = torch.nan_to_num(s.softmax(-1))  # fully masked rows (padding queries) -> 0; never compared
        a = (s @ v).transpose(1, 2).reshape(B, T, H * D)
        x = x + proj("self_attn.o_proj", a)
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = h @ W[p + "mlp.gate_proj.weight"].T
        u = h @ W[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["lm_head.weight"] if "lm_head.weight" in W else W["model.embed_tokens.weight"]
    return x @ head.T


# ---- helpers ------------------------------------------------------------------------------------
def run(*args):
    r = subprocess.run([SIDR_BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: sidreasoner {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


failures = []


def check(label, ours, ref):
    diff = (ours - ref).abs().max().item()
    ok = diff <= TOL
    print(f"{'ok  ' if ok else 'FAIL'} {label}: max |diff| = {diff:.3g}")
    if not ok:
        failures.append(label)


def base_config(model_type, tied, bias):
    cfg = {
        "model_type": model_type, "vocab_size": 97, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 24,
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "initializer_range": 0.2,
        "max_position_embeddings": 128, "tie_word_embeddings": tied, "torch_dtype": "float32",
    }
    if model_type != "qwen2":
        cfg["attention_bias"] = bias
    return cfg


def case(tmp, name, cfg, seed):
    cfg_path = os.path.join(tmp, name + ".json")
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    ckpt = os.path.join(tmp, name)
    run("model", "init", "--config", cfg_path, "--out", ckpt, "--seed", str(seed))
    W = read_safetensors(os.path.join(ckpt, "model.safetensors"))
    with open(os.path.join(ckpt, "config.json")) as f:
        written = json.load(f)
    assert written["head_dim"] == cfg["head_dim"], written
    assert ("lm_head.weight" in W) == (not cfg["tie_word_embeddings"]), sorted(W)
    if cfg["model_type"] == "qwen2":
        assert "model.layers.0.self_attn.q_proj.bias" in W and "model.layers.0.self_attn.o_proj.bias" not in W
    if any(key.endswith(".bias") for key in W):
        # init writes zero biases; give them values so the comparison sees them used
        g = torch.Generator().manual_seed(seed + 100)
        for key in list(W):
            if key.endswith(".bias"):
                W[key] = torch.randn(W[key].shape, generator=g) * 0.5
        write_safetensors(os.path.join(ckpt, "model.safetensors"), W)

    g = torch.Generator().manual_seed(seed)
    B, T = 3, 24  # B * T >= 64: the full forward takes the fused-projection path, cached steps do not
    ids = torch.randint(0, cfg["vocab_size"], (B, T), generator=g)
    lengths = [24, 13, 5]
    mask = torch.zeros(B, T, dtype=torch.long)
    for b, n in enumerate(lengths):  # left padding
        mask[b, T - n :] = 1
        ids[b, : T - n] = 0
    batch = os.path.join(tmp, name + "_batch.json")
    with open(batch, "w") as f:
        json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist()}, f)
    ref = reference_logits(cfg, W, ids, mask)
    real = mask.bool()

    out = os.path.join(tmp, name + "_full.safetensors")
    run("model", "dump-logits", "--model", ckpt, "--input", batch, "--out", out, "--threads", "1")
    full = read_safetensors(out)["logits"]
    check(f"{name}: left-padded batch logits vs reference", full[real], ref[real])

    # each row alone, unpadded, must equal its padded row
    for b, n in enumerate(lengths):
        one = ids[b : b + 1, T - n :]
        ref_one = reference_logits(cfg, W, one, torch.ones_like(one))
        check(f"{name}: row {b} unpadded reference vs padded ours", full[b, T - n :], ref_one[0])

    for prefill, chunk in ((5, 1), (4, 3)):
        out = os.path.join(tmp, name + f"_inc{prefill}_{chunk}.safetensors")
        run("model", "dump-logits", "--model", ckpt, "--input", batch, "--out", out, "--prefill", str(prefill),
            "--chunk", str(chunk), "--threads", "2")
        inc = read_safetensors(out)["logits"]
        check(f"{name}: KV cache prefill {prefill} + {chunk}/step vs full forward", inc[real], full[real])

    seq = ids[0]
    text = run("score", "--model", ckpt, "--ids", " ".join(map(str, seq.tolist())))
    ours = torch.tensor([float(line) for line in text.split()], dtype=torch.float32)
    lp = reference_logits(cfg, W, seq[None], torch.ones(1, T, dtype=torch.long))[0].log_softmax(-1)
    check(f"{name}: score log-probs vs reference", ours, lp[torch.arange(T - 1), seq[1:]])

    prompt = seq[:4].tolist()
    text = run("generate", "--model", ckpt, "--ids", " ".join(map(str, prompt)), "--max-new-tokens", "6",
               "--no-stop")
    got = [int(t) for t in text.split()]
    cur = list(prompt)
    for _ in range(6):
        t = torch.tensor([cur])
        cur.append(int(reference_logits(cfg, W, t, torch.ones_like(t))[0, -1].argmax()))
    ok = got == cur[len(prompt) :]
    print(f"{'ok  ' if ok else 'FAIL'} {name}: greedy generate {got} vs reference {cur[len(prompt):]}")
    if not ok:
        failures.append(name + " generate")


def write_safetensors(path, tensors):
    """Independent writer (used to give the qwen2 biases non-zero values)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        case(tmp, "qwen3_tied", base_config("qwen3", True, False), 1)
        case(tmp, "qwen3_untied_bias", base_config("qwen3", False, True), 2)
        case(tmp, "qwen2_bias", base_config("qwen2", True, True), 3)
        llama = base_config("llama", False, False)
        llama["num_key_value_heads"] = 4
        case(tmp, "llama_mha", llama, 4)
    if failures:
        sys.exit("FAILED: " + ", ".join(failures))
    print("all parity checks passed")


if __name__ == "__main__":
    main()
