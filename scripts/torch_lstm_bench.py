#!/usr/bin/env python3
"""PyTorch's time for the step of BenchmarkLSTMTrainStep in
layers/recurrent_bench_test.go: a one-layer torch.nn.LSTM (and GRU) with
batch_first=True, batch 32, time 20, 16 features, hidden 64, float32; the
loss mean(out²) over every step's output, backward, and an Adam step
(lr 1e-3). Prints one JSON line per cell and thread count: the median,
fastest and slowest of several timed runs, in nanoseconds per step, and
the median CPU time per step (all threads' time, which a busy machine
inflates less than the wall-clock time).

    /usr/bin/python3 scripts/torch_lstm_bench.py              # 1 and 2 threads
    /usr/bin/python3 scripts/torch_lstm_bench.py --threads 2 --steps 500

The input is the benchmark's: 10240 values evenly spaced in [-2, 2).
"""
import argparse
import json
import statistics
import time

import torch

B, T, I, H = 32, 20, 16, 64


def step_time(cell, steps, runs):
    torch.manual_seed(1)
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(I, H, batch_first=True)
    n = B * T * I
    x = ((torch.arange(n, dtype=torch.float32) + 1 - n / 2) / n * 4).reshape(B, T, I)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=False)
        out, _ = module(x)
        out.pow(2).mean().backward()
        opt.step()

    for _ in range(20):  # warm up the allocator and the kernels' caches
        step()
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(steps):
            step()
        times.append((time.perf_counter_ns() - start) / steps)
        cpu.append((time.process_time_ns() - start_cpu) / steps)
    return times, cpu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    for threads in a.threads:
        torch.set_num_threads(threads)
        for cell in ("lstm", "gru"):
            t, cpu = step_time(cell, a.steps, a.runs)
            print(json.dumps(dict(cell=cell, threads=threads, torch=torch.__version__,
                                  median_ns=round(statistics.median(t)), fastest_ns=round(min(t)), slowest_ns=round(max(t)),
                                  median_cpu_ns=round(statistics.median(cpu)))))


if __name__ == "__main__":
    main()
