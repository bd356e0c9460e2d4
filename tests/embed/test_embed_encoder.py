#!/usr/bin/python3
"""`sidreasoner embed encoder` against an independent python3-torch forward (tests/model/test_forward_parity.py's
reference Qwen3, read through its own safetensors reader) on a tiny random Qwen3 checkpoint: each item is run
alone, unpadded, and its final-norm hidden states averaged; ours runs right-padded batches with truncation. The
rows must agree to 1e-4, items with the same text must get the same row, and there is no L2 normalisation.
Token ids come from `sidreasoner tokenizer encode` (checked against Hugging Face tokenizers elsewhere). A missing
checkpoint exits 2 with one line."""
import html
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from checks import SIDR_BIN as BIN, check, finish, run_binary, skip  # noqa: E402

SOURCE = os.environ.get("SIDR_SOURCE_DIR", ".")
os.environ.setdefault("SIDR_BIN", BIN)
os.environ.setdefault("SIDR_SOURCE_DIR", SOURCE)
try:
    import torch
except ImportError:
    skip("python3-torch missing")
from torch_peer import read_safetensors  # noqa: E402

spec = importlib.util.spec_from_file_location("forward_parity", os.path.join(HERE, "..", "model",
                                                                            "test_forward_parity.py"))
forward_parity = importlib.util.module_from_spec(spec)
spec.loader.exec_module(forward_parity)


def clean_text(raw):  # §4, the str branch
    text = re.sub(r'["\n\r]*', '', re.sub(r'</?\w+[^>]*>', '', html.unescape(raw.strip())))
    index = -1
    while -index < len(text) and text[index] == '.':
        index -= 1
    index += 1
    text = text + '.' if index == 0 else text[:index] + '.'
    return '' if len(text) >= 2000 else text


ITEMS = {
    "0": {"title": "Steel bolts", "description": "['M6 bolts, zinc plated']"},
    "1": {"title": "Nitrile gloves, large, 100 count, powder free, blue", "description": ""},
    "2": {"title": "Steel bolts", "description": "['M6 bolts, zinc plated']"},
    "3": {"title": "A", "description": "x"},
    "4": {"title": "Safety glasses &amp; <b>anti fog</b> lens", "description": "['Clear lens', 'UV 400']"},
}
MAX_LEN = 12

with tempfile.TemporaryDirectory() as tmp:
    ck = os.path.join(tmp, "ck")
    subprocess.run(["bash", os.path.join(SOURCE, "tests", "eval", "make_tiny_checkpoint.sh"), ck, "32", "2"],
                   check=True, stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(tmp, "index"))
    with open(os.path.join(tmp, "index", "Fix.item.json"), "w") as f:
        json.dump(ITEMS, f)
    out = os.path.join(tmp, "enc.npy")
    r = run_binary(["embed", "encoder", "--model", ck, "--data", tmp, "--dataset", "Fix", "--batch-size", "3",
                    "--max-length", str(MAX_LEN), "--threads", "1", "--dump", os.path.join(tmp, "d"), "--out", out])
    check(r.returncode == 0, f"embed encoder: exit {r.returncode}: {r.stderr.strip()}")
    print(r.stdout.strip())
    import numpy as np
    ours = torch.from_numpy(np.load(out))
    texts = json.load(open(os.path.join(tmp, "d", "texts.json")))
    want_texts = [" ".join(p for p in (clean_text(ITEMS[str(i)]["title"]), clean_text(ITEMS[str(i)]["description"]))
                           if p) for i in range(len(ITEMS))]
    check(texts == want_texts, f"texts {texts} vs {want_texts}")
    enc = subprocess.run([BIN, "tokenizer", "encode", "--tokenizer", os.path.join(ck, "tokenizer.json"),
                          "--json-lines"], input="".join(json.dumps(t) + "\n" for t in texts), capture_output=True,
                         text=True, check=True)
    ids = [[int(x) for x in line.split()][:MAX_LEN] for line in enc.stdout.splitlines()]
    check(any(len(line.split()) > MAX_LEN for line in enc.stdout.splitlines()), "no text long enough to truncate")
    check(len(set(map(len, ids))) > 1, "all items have the same length: padding is not exercised")

    cfg = json.load(open(os.path.join(ck, "config.json")))
    weights = read_safetensors(os.path.join(ck, "model.safetensors"))
    weights = dict(weights, **{"lm_head.weight": torch.eye(cfg["hidden_size"])})  # logits = final hidden states
    with torch.no_grad():
        ref = torch.stack([forward_parity.reference_logits(cfg, weights, torch.tensor([row]),
                                                           torch.ones(1, len(row), dtype=torch.long))[0].mean(0)
                           for row in ids])
    check(ours.shape == ref.shape and ours.dtype == torch.float32, f"shape {tuple(ours.shape)} vs {tuple(ref.shape)}")
    if ours.shape == ref.shape:
        diff = (ours - ref).abs().max().item()
        check(diff < 1e-4, f"mean-pooled hidden states differ by {diff:.2e}")
        print(f"{len(ids)} items x {ref.shape[1]}: equal to the reference mean pool (max difference {diff:.1e})")
        check(torch.allclose(ours[0], ours[2], atol=1e-6), "same text, different rows")
        norms = ours.norm(dim=1)
        check((norms - 1).abs().max().item() > 1e-3, "rows look L2-normalised")

    r = run_binary(["embed", "encoder", "--model", os.path.join(tmp, "none"), "--data", tmp, "--dataset", "Fix",
                    "--out", out + "2"])
    check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, f"missing model: {r.returncode} {r.stderr!r}")

sys.exit(finish("all embed encoder checks passed"))
