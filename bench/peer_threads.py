"""Thread bounds for the python3-torch peers, equal to what `sidreasoner --threads N` sets.

torch.set_num_threads bounds PyTorch's intra-op pool but not OpenBLAS's own pthread pool, which Debian's
libtorch calls for every matrix product; without this a "1-thread" peer multiplies on every core.
"""
import ctypes

import torch


def set_threads(threads):
    torch.set_num_threads(threads)
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libopenblas" in line}
    for path in paths:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_set_num_threads(ctypes.c_int(threads))
