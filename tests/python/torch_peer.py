"""Shared pieces of the python3-torch peers (tests and benchmarks), independent of our C++ code.

- set_threads: the thread bound `sidreasoner --threads N` sets (PyTorch's pool and OpenBLAS's own pool).
- read_safetensors: a safetensors reader written from the format description (F32 and BF16).
- rms_norm, rotate_half: the Qwen3 formulas as Hugging Face writes them.
"""
import ctypes
import json
import struct

import torch


def set_threads(threads):
    """torch.set_num_threads bounds PyTorch's intra-op pool but not OpenBLAS's pthread pool, which Debian's
    libtorch calls for every matrix product; without this a "1-thread" peer multiplies on every core."""
    torch.set_num_threads(threads)
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libopenblas" in line}
    for path in paths:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_set_num_threads(ctypes.c_int(threads))


def read_safetensors(path):
    """{name: float32 tensor}: 8-byte little-endian header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        chunk = bytearray(data[begin:end])
        if info["dtype"] == "F32":
            t = torch.frombuffer(chunk, dtype=torch.float32) if chunk else torch.zeros(0)
        elif info["dtype"] == "BF16":  # bf16 = the high half of an fp32
            half = torch.frombuffer(chunk, dtype=torch.int16).to(torch.int32)
            t = (half << 16).view(torch.float32)
        else:
            raise ValueError(f"{path}: dtype {info['dtype']} not expected here")
        out[name] = t.reshape(info["shape"]).clone()
    return out


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat((-x[..., d:], x[..., :d]), dim=-1)
