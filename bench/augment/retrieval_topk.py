"""Exact top-K by inner product in numpy and PyTorch, for bench/augment/retrieval.ts.

Run: /usr/bin/python3 bench/augment/retrieval_topk.py <dir> <queries> <items> <dims> <k> <block>
Reads <dir>/queries.f32 and <dir>/items.f32 (row-major float32), writes <dir>/numpy.i32 and <dir>/torch.i32
(top-K item indices per query, best first) and prints one JSON line with the wall and process CPU times in ms.
"""
import json
import os
import sys
import time

import numpy as np
import torch


def numpy_topk(q: np.ndarray, items: np.ndarray, k: int, block: int) -> np.ndarray:
    out = np.empty((len(q), k), dtype=np.int32)
    for start in range(0, len(q), block):
        sims = q[start : start + block] @ items.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        out[start : start + block] = np.take_along_axis(part, order, axis=1)
    return out


def torch_topk(q: torch.Tensor, items: torch.Tensor, k: int, block: int) -> torch.Tensor:
    out = torch.empty((len(q), k), dtype=torch.int32)
    for start in range(0, len(q), block):
        out[start : start + block] = torch.topk(q[start : start + block] @ items.T, k, dim=1).indices
    return out


if __name__ == "__main__":
    folder, rows, cols, dims, k, block = sys.argv[1], *map(int, sys.argv[2:])
    q = np.fromfile(os.path.join(folder, "queries.f32"), dtype=np.float32).reshape(rows, dims)
    items = np.fromfile(os.path.join(folder, "items.f32"), dtype=np.float32).reshape(cols, dims)
    numpy_topk(q[:block], items, k, block)  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    np_out = numpy_topk(q, items, k, block)
    numpy_ms, numpy_cpu_ms = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    # Same thread count as our engine (one per core); torch alone may pick fewer.
    torch.set_num_threads(os.cpu_count() or 1)
    tq, titems = torch.from_numpy(q), torch.from_numpy(items)
    torch_topk(tq[:block], titems, k, block)
    start, cpu = time.perf_counter(), time.process_time()
    t_out = torch_topk(tq, titems, k, block)
    torch_ms, torch_cpu_ms = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    np_out.tofile(os.path.join(folder, "numpy.i32"))
    t_out.numpy().tofile(os.path.join(folder, "torch.i32"))
    print(json.dumps({
        "numpy_ms": numpy_ms,
        "numpy_cpu_ms": numpy_cpu_ms,
        "torch_ms": torch_ms,
        "torch_cpu_ms": torch_cpu_ms,
        "torch_threads": torch.get_num_threads(),
    }))
