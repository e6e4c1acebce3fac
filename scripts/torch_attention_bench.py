#!/usr/bin/env python3
"""PyTorch's time for the step of BenchmarkTransformerBlockTrainingStep
(layers/transformer_bench_test.go): one pre-norm block (d_model 64, 4 heads,
causal, MLP 256 with GELU), a batch of 16 sequences of 32 steps in float32,
loss = mean(block(x)^2), backward, and an Adam step. Prints one JSON line per
thread count with the median time of a step over several rounds.

    /usr/bin/python3 scripts/torch_attention_bench.py            # 1 and 2 threads
    /usr/bin/python3 scripts/torch_attention_bench.py --threads 2 --steps 200

The block is written as graft's TransformerBlock computes it (LayerNorm,
nn.MultiheadAttention with a causal attn_mask, residual, LayerNorm, Linear,
GELU, Linear, residual), not as nn.TransformerEncoderLayer, whose dropout and
activation defaults differ.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        n = self.ln1(x)
        h = x + self.attn(n, n, n, attn_mask=mask, need_weights=False)[0]
        return h + self.mlp(self.ln2(h))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--steps", type=int, default=100, help="steps per round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    batch, steps, width = 16, 32, 64
    for threads in args.threads:
        torch.set_num_threads(threads)
        torch.manual_seed(1)
        block = Block(width, 4)
        opt = torch.optim.Adam(block.parameters(), lr=1e-3)
        x = torch.randn(batch, steps, width)
        mask = torch.triu(torch.ones(steps, steps, dtype=torch.bool), 1)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = block(x, mask).pow(2).mean()
            loss.backward()
            opt.step()

        for _ in range(10):
            step()
        times = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            for _ in range(args.steps):
                step()
            times.append((time.perf_counter() - began) / args.steps)
        print(json.dumps({"torch": torch.__version__, "threads": threads, "median_step_ms": round(1e3 * statistics.median(times), 3),
                          "min_step_ms": round(1e3 * min(times), 3)}))


if __name__ == "__main__":
    main()
