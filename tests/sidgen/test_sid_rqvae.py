#!/usr/bin/python3
"""`sid build --method rqvae` (reference §5.2) against an independent python3-torch implementation written from
the reference's rq/models/{layers,vq,rq,rqvae}.py and rq/trainer.py:
- parity: the same weights (written here as .safetensors with the reference's state_dict names, loaded with
  --init-weights) and the same full-data batches: every step's loss, reconstruction loss and gradient norm
  (AdamW, constant LR after warm-up, clipping to 1.0) and the final weights, codes and last-level inputs must
  agree; so must the Sinkhorn dedup of the codes (§5.2.4) computed in python from those weights;
- the k-means codebook init: after one step at warm-up LR 0 the codebooks are those of the init, and each level's
  k-means inertia on its residuals is within 10% of scikit-learn's KMeans on the same residuals;
- training lowers the reconstruction error (the printed value against the first step's);
- bad options and weight files exit 2 with one line."""
import json
import os
import re
import struct
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from checks import check, finish, run_binary, skip  # noqa: E402

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from sklearn.cluster import KMeans
except ImportError:
    skip("python3-torch or python3-sklearn missing")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sid_sinkhorn import sinkhorn_dedup  # noqa: E402  (the independent §5.2.4 loop)
from torch_peer import read_safetensors  # noqa: E402  (tests/python: the reader written from the format)

torch.set_num_threads(1)


def run(args):
    return run_binary(["sid", "build", "--method", "rqvae"] + args,
                      env=dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class MLPLayers(nn.Module):  # rq/models/layers.py, bn=False
    def __init__(self, layers, dropout=0.0):
        super().__init__()
        modules = []
        for idx, (i, o) in enumerate(zip(layers[:-1], layers[1:])):
            modules.append(nn.Dropout(p=dropout))
            modules.append(nn.Linear(i, o))
            if idx != len(layers) - 2:
                modules.append(nn.ReLU())
        self.mlp_layers = nn.Sequential(*modules)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight.data)
                m.bias.data.fill_(0.0)

    def forward(self, x):
        return self.mlp_layers(x)


class VectorQuantizer(nn.Module):  # rq/models/vq.py without Sinkhorn (sk_epsilon 0 in training)
    def __init__(self, n_e, e_dim, beta):
        super().__init__()
        self.beta = beta
        self.embedding = nn.Embedding(n_e, e_dim)
        self.embedding.weight.data.uniform_(-1.0 / n_e, 1.0 / n_e)

    def forward(self, x):
        w = self.embedding.weight
        d = torch.sum(x ** 2, dim=1, keepdim=True) + torch.sum(w ** 2, dim=1, keepdim=True).t() - 2 * x @ w.t()
        indices = torch.argmin(d, dim=-1)
        x_q = self.embedding(indices)
        loss = F.mse_loss(x_q, x.detach()) + self.beta * F.mse_loss(x_q.detach(), x)
        return x + (x_q - x).detach(), loss, indices


class RQVAE(nn.Module):  # rq/models/rqvae.py + rq.py
    def __init__(self, in_dim, layers, e_dim, levels, n_e, beta=0.25):
        super().__init__()
        dims = [in_dim] + layers + [e_dim]
        self.encoder = MLPLayers(dims)
        self.rq = nn.Module()
        self.rq.vq_layers = nn.ModuleList([VectorQuantizer(n_e, e_dim, beta) for _ in range(levels)])
        self.decoder = MLPLayers(dims[::-1])

    def quantize(self, z):
        losses, indices, x_q, residual, inputs = [], [], 0, z, []
        for vq in self.rq.vq_layers:
            inputs.append(residual)
            x_res, loss, idx = vq(residual)
            residual = residual - x_res
            x_q = x_q + x_res
            losses.append(loss)
            indices.append(idx)
        return x_q, torch.stack(losses).mean(), torch.stack(indices, dim=-1), inputs

    def forward(self, x):
        x_q, rq_loss, _, _ = self.quantize(self.encoder(x))
        out = self.decoder(x_q)
        recon = F.mse_loss(out, x, reduction="mean")
        return recon + 1.0 * rq_loss, recon


def parity(work, rng):
    n, d, hidden, e_dim, levels, k = 64, 16, [24, 12], 6, 3, 8
    x = rng.normal(size=(n, d)).astype(np.float32) * 2
    path = os.path.join(work, "parity.npy")
    np.save(path, x)
    torch.manual_seed(0)
    model = RQVAE(d, hidden, e_dim, levels, k)
    with torch.no_grad():  # codebooks near the data, so the codes are not all equal
        z = model.encoder(torch.from_numpy(x))
        for l, vq in enumerate(model.rq.vq_layers):
            vq.embedding.weight.copy_(z[torch.arange(k) * 7 + l] * (0.5 ** l))
    init = os.path.join(work, "init.safetensors")
    write_safetensors(init, dict(model.state_dict()))
    steps, warmup, lr = 8, 2, 1e-2
    out = os.path.join(work, "parity_out")
    trace = os.path.join(work, "trace.jsonl")
    result = run(["--embeddings", path, "--layers", "24,12", "--e-dim", str(e_dim), "--levels", str(levels),
                  "--codebook", str(k), "--epochs", str(steps), "--batch-size", str(n), "--warmup-epochs",
                  str(warmup), "--lr", str(lr), "--eval-every", "1000", "--last-weights", "--init-weights", init,
                  "--trace", trace, "--dedup", "sinkhorn", "--threads", "1", "--dataset", "P", "--out", out])
    check(result.returncode == 0, f"parity run: exit {result.returncode} {result.stderr}")
    if result.returncode:
        return
    ours = [json.loads(line) for line in open(trace)]
    check(len(ours) == steps, f"trace has {len(ours)} steps, expected {steps}")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, warmup) if s < warmup else 1.0)
    xt = torch.from_numpy(x)
    worst = 0.0
    for s in range(steps):
        model.train()
        opt.zero_grad()
        loss, recon = model(xt)
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0))
        opt.step()
        sched.step()
        if s < len(ours):
            for key, want in [("loss", float(loss)), ("recon", float(recon)), ("grad_norm", norm)]:
                err = abs(ours[s][key] - want) / max(1e-6, abs(want))
                worst = max(worst, err)
                check(err < 2e-4, f"step {s} {key}: {ours[s][key]} vs python3-torch {want}")
    weights = read_safetensors(os.path.join(out, "P.rqvae.safetensors"))
    ref = dict(model.state_dict())
    check(sorted(weights) == sorted(ref), f"weight names {sorted(weights)} vs {sorted(ref)}")
    for name in ref:
        if name in weights:
            diff = float((weights[name] - ref[name]).abs().max())
            check(diff < 1e-4, f"final {name} differs by {diff}")
    model.eval()
    with torch.no_grad():
        model.load_state_dict(weights)
        _, _, codes, inputs = model.quantize(model.encoder(xt))
    got = np.load(os.path.join(out, "P.codes.npy"))
    check((got == codes.numpy()).all(), f"{int((got != codes.numpy()).any(1).sum())} items have other codes")
    books = np.load(os.path.join(out, "P.codebooks.npy"))
    check(np.allclose(books, np.stack([vq.embedding.weight.detach().numpy() for vq in model.rq.vq_layers]), atol=1e-6),
          "codebooks.npy differs from the weights")
    want = sinkhorn_dedup(codes.numpy(), inputs[-1].numpy(), model.rq.vq_layers[-1].embedding.weight.detach().numpy())
    index = json.load(open(os.path.join(out, "P.index.json")))
    wrong = sum(index[str(i)] != [f"<{chr(97 + l)}_{want[i][l]}>" for l in range(levels)] for i in range(n))
    check(wrong == 0, f"{wrong} items differ from the python3-torch Sinkhorn dedup")
    check(len({tuple(c) for c in codes.numpy().tolist()}) < n, "parity data has no collision for Sinkhorn to fix")
    print(f"parity: {steps} steps, worst relative difference {worst:.2e}; codes and Sinkhorn dedup equal")


def kmeans_init(work, rng):
    n, d, k = 240, 12, 10
    centers = rng.normal(size=(15, d)) * 3
    x = (centers[rng.integers(0, 15, n)] + rng.normal(size=(n, d))).astype(np.float32)
    path = os.path.join(work, "km.npy")
    np.save(path, x)
    out = os.path.join(work, "km_out")
    result = run(["--embeddings", path, "--layers", "16", "--e-dim", "4", "--levels", "2", "--codebook", str(k),
                  "--epochs", "1", "--warmup-epochs", "1", "--dedup", "none", "--threads", "1", "--dataset", "K",
                  "--out", out])
    check(result.returncode == 0, f"k-means run: exit {result.returncode} {result.stderr}")
    if result.returncode:
        return
    model = RQVAE(d, [16], 4, 2, k)
    model.load_state_dict(read_safetensors(os.path.join(out, "K.rqvae.safetensors")))
    with torch.no_grad():
        residual = model.encoder(torch.from_numpy(x)).numpy().astype(np.float64)
    for l, vq in enumerate(model.rq.vq_layers):
        book = vq.embedding.weight.detach().numpy().astype(np.float64)
        d2 = ((residual[:, None] - book[None]) ** 2).sum(-1)
        ours = d2.min(1).sum()
        sk = min(KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=s).fit(residual).inertia_ for s in range(3))
        check(ours <= 1.1 * sk, f"level {l}: k-means init inertia {ours:.4f} vs scikit-learn {sk:.4f}")
        check(len(np.unique(d2.argmin(1))) > k // 2, f"level {l}: init uses {len(np.unique(d2.argmin(1)))} codes")
        print(f"k-means init level {l}: inertia {ours:.4f} (scikit-learn {sk:.4f})")
        residual = residual - book[d2.argmin(1)]


def training_helps(work, rng):
    n, d = 300, 24
    basis = rng.normal(size=(5, d))
    x = (rng.normal(size=(n, 5)) @ basis + 0.05 * rng.normal(size=(n, d))).astype(np.float32)
    path = os.path.join(work, "train.npy")
    np.save(path, x)
    result = run(["--embeddings", path, "--layers", "32,16", "--e-dim", "8", "--levels", "3", "--codebook", "16",
                  "--epochs", "300", "--warmup-epochs", "5", "--eval-every", "50", "--lr", "5e-3", "--last-weights",
                  "--threads", "1",
                  "--out", os.path.join(work, "train_out")])
    check(result.returncode == 0, f"training run: exit {result.returncode} {result.stderr}")
    m = re.search(r"reconstruction +([0-9.e+-]+) mean squared error per value .*; ([0-9.e+-]+) before", result.stdout)
    check(m is not None, f"no reconstruction line: {result.stdout}")
    if m:
        after, before = float(m.group(1)), float(m.group(2))
        check(after < 0.3 * before, f"training did not lower the reconstruction error enough: {before} -> {after}")
        print(f"training: reconstruction {before:.4f} -> {after:.4f}")
    for word in ["collisions", "after dedup", "tokens per level", "utilisation"]:
        check(word in result.stdout, f"no '{word}' in the report")


def bad_input(work):
    path = os.path.join(work, "parity.npy")
    init = os.path.join(work, "init.safetensors")
    base = ["--embeddings", path, "--out", os.path.join(work, "bad")]
    k8 = ["--codebook", "8", "--e-dim", "6", "--layers", "24,12"]
    wrong_shape = os.path.join(work, "wrong.safetensors")
    tensors = read_safetensors(init)
    tensors["encoder.mlp_layers.1.weight"] = torch.zeros(3, 3)
    write_safetensors(wrong_shape, tensors)
    missing = os.path.join(work, "missing.safetensors")
    tensors = read_safetensors(init)
    del tensors["rq.vq_layers.2.embedding.weight"]
    write_safetensors(missing, tensors)
    for args, words in [(["--codebook", "8", "--layers", "24,x"], "--layers"), (["--codebook", "8", "--e-dim", "0"], "--e-dim"),
                        (k8 + ["--epochs", "0"], "--epochs"), (k8 + ["--batch-size", "4"], "--batch-size"),
                        (k8 + ["--lr", "0"], "--lr"), (k8 + ["--levels", "27"], "--levels"),
                        (k8 + ["--init-weights", wrong_shape], "encoder.mlp_layers.1.weight"),
                        (k8 + ["--init-weights", missing], "rq.vq_layers.2.embedding.weight"),
                        (["--codebook", "100", "--e-dim", "6", "--layers", "24,12"], "--codebook"),
                        (k8 + ["--device", "tpu"], "--device")]:
        result = run(base + args)
        err = result.stderr.strip()
        check(result.returncode == 2 and len(err.splitlines()) == 1 and words in err, f"{args}: {result.returncode} {err!r}")
    check(not os.path.exists(os.path.join(work, "bad")), "output written for bad input")


def main():
    work = tempfile.mkdtemp(prefix="sidr_rqvae_")
    rng = np.random.default_rng(2024)
    parity(work, rng)
    kmeans_init(work, rng)
    training_helps(work, rng)
    bad_input(work)
    return finish("all rqvae checks passed", f"files in {work}")


if __name__ == "__main__":
    sys.exit(main())
