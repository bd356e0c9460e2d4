"""Qwen3 in plain PyTorch eager (HF's "eager" attention), the peer both benchmarks time against.

One module for the peers: bench/model_bench.py (forward, train step, cached decoding), bench/sft_peer.py
(left-padded training batches with an attention mask) and bench/gpu_model_bench.py (CUDA; attention="sdpa" is
HF's sdpa attention: the same masked attention in PyTorch's fused kernel). Weights are random (initializer_range); only speed is
compared, correctness is the tests' job (tests/python/torch_peer.py).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def bench_step(model, mode, batch, seq, new_tokens):
    """One timed unit of the model benchmarks on random ids; returns the tokens it processed.

    forward: batch x seq without gradients; train: the same with the cross-entropy backward; decode: a prompt of
    `seq` tokens, then `new_tokens` greedy steps with the KV caches. New tensors go to the default device.
    """
    V = model.c["vocab_size"]
    if mode == "forward":
        model.eval()
        with torch.no_grad():
            model(torch.randint(V, (batch, seq)))
        return batch * seq
    if mode == "train":
        model.train()
        ids = torch.randint(V, (batch, seq))
        loss = F.cross_entropy(model(ids).view(-1, V).float(), ids.view(-1))
        model.zero_grad()
        loss.backward()
        return batch * seq
    model.eval()
    with torch.no_grad():
        caches = [[None, None] for _ in model.layers]
        logits = model(torch.randint(V, (batch, seq)), caches=caches, past=0)
        for past in range(seq, seq + new_tokens):
            logits = model(logits[:, -1].argmax(-1, keepdim=True), caches=caches, past=past)
    return batch * new_tokens


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat((-x[..., d:], x[..., :d]), dim=-1)


def repeat_kv(x, n):
    if n == 1:
        return x
    b, kv, t, d = x.shape
    return x[:, :, None].expand(b, kv, n, t, d).reshape(b, kv * n, t, d)


class Attention(nn.Module):
    def __init__(self, c, attention="eager"):
        super().__init__()
        self.sdpa = attention == "sdpa"
        self.h, self.kv, self.d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        hs = c["hidden_size"]
        self.q_proj = nn.Linear(hs, self.h * self.d, bias=False)
        self.k_proj = nn.Linear(hs, self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(hs, self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.h * self.d, hs, bias=False)
        self.q_norm = RMSNorm(self.d, c["rms_norm_eps"])
        self.k_norm = RMSNorm(self.d, c["rms_norm_eps"])

    def forward(self, x, cos, sin, bias, cache):
        b, t, _ = x.shape
        q = self.q_norm(self.q_proj(x).view(b, t, self.h, self.d)).transpose(1, 2)
        k = self.k_norm(self.k_proj(x).view(b, t, self.kv, self.d)).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], 2)
                v = torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        k = repeat_kv(k, self.h // self.kv)
        v = repeat_kv(v, self.h // self.kv)
        if self.sdpa:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
            return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.d) + bias
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        return self.o_proj(torch.matmul(w, v).transpose(1, 2).reshape(b, t, -1))


class Layer(nn.Module):
    def __init__(self, c, attention="eager"):
        super().__init__()
        hs, inter = c["hidden_size"], c["intermediate_size"]
        self.self_attn = Attention(c, attention)
        self.gate_proj = nn.Linear(hs, inter, bias=False)
        self.up_proj = nn.Linear(hs, inter, bias=False)
        self.down_proj = nn.Linear(inter, hs, bias=False)
        self.input_layernorm = RMSNorm(hs, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(hs, c["rms_norm_eps"])

    def forward(self, x, cos, sin, bias, cache):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, bias, cache)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class EagerQwen3(nn.Module):
    def __init__(self, c, attention="eager"):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(c, attention) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        d = c["head_dim"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2).float() / d)))
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=c.get("initializer_range", 0.02))

    def forward(self, ids, mask=None, caches=None, past=0):
        """ids (B, T) -> logits (B, T, V) at every position (tied head).

        mask (B, T), 1 = token: left-padded rows, positions counted from each row's first token.
        Otherwise positions past..past+T-1 over `caches` (one [k, v] list per layer, filled in place).
        """
        b, t = ids.shape
        if mask is not None:
            pos = (mask.cumsum(-1) - 1).clamp(min=0).float()  # (B, T)
            allowed = torch.tril(torch.ones(t, t, dtype=torch.bool))[None] & mask.bool()[:, None, :]
            bias = torch.zeros(b, 1, t, t).masked_fill(~allowed[:, None], torch.finfo(torch.float32).min)
        else:
            pos = torch.arange(past, past + t, dtype=torch.float32)[None]  # (1, T)
            bias = torch.full((t, past + t), torch.finfo(torch.float32).min).triu(past + 1)[None, None]
        freqs = pos[..., None] * self.inv_freq
        emb = torch.cat([freqs, freqs], -1)
        x = self.embed_tokens(ids)
        cos, sin = emb.cos()[:, None].to(x.dtype), emb.sin()[:, None].to(x.dtype)  # as HF: in the model's dtype
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, bias, None if caches is None else caches[i])
        return self.norm(x) @ self.embed_tokens.weight.T
