"""PyTorch version of bench/engine/train-step.ts (engine-notes reference step), for comparison.

embedding 30,000x128, mean of 64 tokens, batch 256 -> linear 128x7000 (+bias) -> softmax cross-entropy
-> backward -> Adam. Run: python3 bench/engine/reference_step.py [--threads N] [--gemm-only]
(needs torch; Debian: python3-torch with libopenblas0-pthread, otherwise torch falls back to the reference
BLAS and is ~30x slower). torch.set_num_threads does not bound OpenBLAS's own threads: bench/engine-vs-torch.ts
runs the 1-thread rows with OPENBLAS_NUM_THREADS=1, and the AVX2 rows with OPENBLAS_CORETYPE=Haswell.
"""
import argparse
import ctypes
import os
import statistics
import time

import torch

VOCAB, DIM, TOKENS, BATCH, CLASSES = 30000, 128, 64, 256, 7000


def bench(threads: int, sparse: bool, steps: int = 15, warmup: int = 3) -> tuple[float, float]:
    """Median wall ms per step and mean process CPU ms per step (all threads)."""
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    emb = torch.nn.EmbeddingBag(VOCAB, DIM, mode="mean", sparse=sparse)
    out = torch.nn.Linear(DIM, CLASSES)
    if sparse:
        opts = [torch.optim.SparseAdam(emb.parameters(), lr=1e-3), torch.optim.AdamW(out.parameters(), lr=1e-3, weight_decay=0)]
    else:
        opts = [torch.optim.AdamW(list(emb.parameters()) + list(out.parameters()), lr=1e-3, weight_decay=0)]
    times = []
    cpu = 0.0
    for i in range(warmup + steps):
        tokens = torch.randint(0, VOCAB, (BATCH, TOKENS))
        labels = torch.randint(0, CLASSES, (BATCH,))
        start = time.perf_counter()
        cpu_start = time.process_time()
        for o in opts:
            o.zero_grad()
        loss = torch.nn.functional.cross_entropy(out(emb(tokens)), labels)
        loss.backward()
        for o in opts:
            o.step()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
            cpu += (time.process_time() - cpu_start) * 1000
    return statistics.median(times), cpu / steps


def bench_gemm(threads: int, m: int, k: int, n: int, runs: int = 7) -> tuple[float, float]:
    """GFLOP/s from the median wall time, and GFLOP per process CPU-second (all threads)."""
    torch.set_num_threads(threads)
    a, b = torch.full((m, k), 0.5), torch.full((k, n), 0.25)
    a @ b
    times = []
    cpu_start = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu_start) / runs
    flop = 2 * m * n * k
    return flop / statistics.median(times) / 1e9, flop / cpu / 1e9


def openblas_core() -> str:
    """The kernels OpenBLAS picked for this CPU (or OPENBLAS_CORETYPE), e.g. SkylakeX or Haswell."""
    try:
        corename = ctypes.CDLL("libopenblas.so.0").openblas_get_corename
        corename.restype = ctypes.c_char_p
        return corename().decode()
    except (OSError, AttributeError):
        return "unknown"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, action="append", help="thread counts to run (default: 1 and 2)")
    parser.add_argument("--gemm-only", action="store_true")
    args = parser.parse_args()
    thread_counts = args.threads or [1, 2]
    print(f"OpenBLAS core: {openblas_core()}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"torch {torch.__version__} GEMM (M x K x N), median of 7 runs, load {os.getloadavg()[0]:.1f}")
    for m, k, n in ((1024, 1024, 1024), (512, 256, 7000)):
        for threads in thread_counts:
            wall, per_cpu = bench_gemm(threads, m, k, n)
            print(f"{m}x{k}x{n}".ljust(15) + f"threads={threads}  {wall:.1f} GFLOP/s ({per_cpu:.1f} per CPU-second)")
    if args.gemm_only:
        raise SystemExit(0)
    print(f"torch {torch.__version__} training step, median of 15 steps after 3 warm-up, load {os.getloadavg()[0]:.1f}")
    for threads in thread_counts:
        for sparse in (True, False):
            label = "SparseAdam + AdamW" if sparse else "dense AdamW       "
            wall, cpu = bench(threads, sparse)
            print(f"threads={threads} {label}  {wall:.1f} ms/step, {cpu:.1f} CPU ms/step")
