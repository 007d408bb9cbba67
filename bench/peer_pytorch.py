#!/usr/bin/python3
"""Peer benchmark: one training step of Unrolled against PyTorch on the same shapes.

The step, in both engines: forward over T steps of a one-layer cell (I 1, H 64 or 256, B 32,
float32), a linear readout (O 1) at every step, the MSE loss (mean over every element), full
BPTT, and plain SGD (p -= lr * g over every tensor). Unrolled's figure is BM_Step/.../profile:0
(no decay profile, which PyTorch does not compute) from bench/unrolled_bench, run as a
subprocess; PyTorch's is timed here. Each engine runs on 1 thread and on all threads; the table
prints both and the ratio of PyTorch's best to Unrolled's best.

The GRU differs in one detail: Unrolled's benchmark uses the lectures' variant (reset before the
recurrent product), PyTorch only has the reset-after one; the FLOP count is the same.

A benchmark, not a test: nothing in the test suite needs PyTorch. Needs Debian's python3-torch
and libopenblas0-pthread (so that PyTorch gets an optimised, threaded BLAS):
    apt-get install python3-torch libopenblas0-pthread
    cmake --build build --target unrolled_bench
    /usr/bin/python3 bench/peer_pytorch.py   # Debian's Python, where python3-torch lives [--bench build/bench/unrolled_bench] [--repeats 3]
Measure on a quiet machine (`uptime` is printed beside the figures).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

I, T, B, O = 1, 100, 32, 1
LEARNING_RATE = 1e-3
CELLS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


def torch_step_ms(torch, cell, H, threads, repeats, min_seconds):
    """Median over `repeats` of the mean wall time (ms) of one step, on `threads` threads."""
    torch.set_num_threads(threads)
    torch.manual_seed(1234)
    rnn = getattr(torch.nn, CELLS[cell])(I, H)  # tanh for the vanilla RNN, as Unrolled's default
    readout = torch.nn.Linear(H, O)
    params = list(rnn.parameters()) + list(readout.parameters())
    x = torch.randn(T, B, I)  # (T, B, I)
    target = torch.randn(T, B, O)  # (T, B, O)

    def step():
        h, _ = rnn(x)  # (T, B, H)
        loss = torch.nn.functional.mse_loss(readout(h), target)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LEARNING_RATE * p.grad
        return loss

    for _ in range(3):  # warm-up: allocations, BLAS thread start
        step()
    times = []
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while True:
            step()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        times.append(elapsed / n * 1e3)
    return statistics.median(times)


def unrolled_step_ms(bench, cell, H, threads, repeats, min_seconds):
    """Median real time (ms) of BM_Step for this case from the benchmark binary."""
    name = f"BM_Step/{cell}/I{I}_H{H}_T{T}_B{B}/profile:0/threads:{threads}/f32"
    cmd = [bench, f"--benchmark_filter=^{name}(/real_time)?$", "--benchmark_format=json",
           f"--benchmark_repetitions={repeats}", "--benchmark_report_aggregates_only=true",
           f"--benchmark_min_time={min_seconds}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)["benchmarks"]
    for row in rows:
        if row.get("aggregate_name") == "median" or (repeats == 1 and row["name"].startswith(name)):
            unit = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[row["time_unit"]]
            return row["real_time"] * unit
    raise RuntimeError(f"{name}: not in the benchmark's output (is it built? is the name right?)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=os.path.join(here, "..", "build", "bench", "unrolled_bench"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=0.5)
    ap.add_argument("--cells", default="lstm,gru,rnn")
    ap.add_argument("--sizes", default="64,256")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("peer_pytorch: needs PyTorch: apt-get install python3-torch libopenblas0-pthread")
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"peer_pytorch: {args.bench} not found: cmake --build build --target unrolled_bench")
    cores = os.cpu_count() or 1
    all_threads = max(cores, 2)  # Unrolled's benchmark registers threads 1, 2 and the core count
    print(f"torch {torch.__version__}, {torch.get_num_threads()} default threads, "
          f"{cores} cores; load average {os.getloadavg()}")
    print(f"step: I {I}, T {T}, B {B}, O {O}, float32, MSE, SGD; median of {args.repeats}")
    header = (f"{'cell':5} {'H':>4} | {'torch 1':>10} {'torch ' + str(all_threads):>10} | "
              f"{'unrolled 1':>11} {'unrolled ' + str(all_threads):>12} | {'best/best':>9}")
    print(header)
    print("-" * len(header))
    for H in [int(h) for h in args.sizes.split(",")]:
        for cell in args.cells.split(","):
            t1 = torch_step_ms(torch, cell, H, 1, args.repeats, args.min_seconds)
            tn = torch_step_ms(torch, cell, H, all_threads, args.repeats, args.min_seconds)
            u1 = unrolled_step_ms(args.bench, cell, H, 1, args.repeats, args.min_seconds)
            un = unrolled_step_ms(args.bench, cell, H, all_threads, args.repeats, args.min_seconds)
            ratio = min(t1, tn) / min(u1, un)
            print(f"{cell:5} {H:>4} | {t1:8.2f}ms {tn:8.2f}ms | {u1:9.2f}ms {un:10.2f}ms | "
                  f"{ratio:8.1f}x", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
