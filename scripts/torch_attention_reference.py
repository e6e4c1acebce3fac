#!/usr/bin/env python3
"""Prints torch.nn.MultiheadAttention(batch_first=True) on a few small
configurations as JSON, for TestMultiHeadAttentionMatchesPyTorch in
layers/attention_test.go: the weights in PyTorch's layout, the inputs, the
output, the per-head attention weights, and the gradients of sum(r * out)
with respect to the query and the context.

    /usr/bin/python3 scripts/torch_attention_reference.py > layers/testdata/attention_torch.json

Weights and inputs are fixed functions of the element index, so the file is
the same on every run; the test reads them from the file and needs no torch.
"""
import json
import math

import torch


def values(n, a, b, scale=1.0):
    # Smooth, sign-changing, and different for every element.
    return [round(scale * math.sin(a * i + b), 6) for i in range(n)]


def tensor(shape, a, b, scale=1.0, grad=False):
    t = torch.tensor(values(math.prod(shape), a, b, scale), dtype=torch.float64).reshape(shape)
    return t.requires_grad_(grad)


CASES = [
    dict(name="self-attention, 2 heads, biases", batch=2, tq=3, tk=3, d=4, heads=2, bias=True, causal=False, lengths=None),
    dict(name="cross-attention, 3 heads, no bias", batch=2, tq=2, tk=4, d=6, heads=3, bias=False, causal=False, lengths=None),
    dict(name="causal self-attention, 2 heads", batch=2, tq=4, tk=4, d=4, heads=2, bias=True, causal=True, lengths=None),
    dict(name="causal, padded to lengths 2 and 4, 1 head", batch=2, tq=4, tk=4, d=4, heads=1, bias=True, causal=True, lengths=[2, 4]),
    dict(name="cross-attention padded to lengths 3 and 1, 2 heads", batch=2, tq=2, tk=3, d=4, heads=2, bias=True, causal=False, lengths=[3, 1]),
    dict(name="causal cross-attention, 3 queries over 5 keys", batch=1, tq=3, tk=5, d=4, heads=2, bias=True, causal=True, lengths=None),
    dict(name="causal cross-attention, 4 queries over 2 keys", batch=2, tq=4, tk=2, d=4, heads=2, bias=True, causal=True, lengths=None),
]


def run(c):
    d, b, tq, tk = c["d"], c["batch"], c["tq"], c["tk"]
    mha = torch.nn.MultiheadAttention(d, c["heads"], bias=c["bias"], batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(tensor([3 * d, d], 0.37, 0.1, 0.5))
        mha.out_proj.weight.copy_(tensor([d, d], 0.53, 0.7, 0.5))
        if c["bias"]:
            mha.in_proj_bias.copy_(tensor([3 * d], 0.91, 0.3, 0.2))
            mha.out_proj.bias.copy_(tensor([d], 1.3, 0.2, 0.2))
    query = tensor([b, tq, d], 0.29, 0.4, 1.0, grad=True)
    self_attention = c["tq"] == c["tk"] and c["name"].startswith(("self", "causal"))
    context = query if self_attention else tensor([b, tk, d], 0.61, 1.1, 1.0, grad=True)
    kwargs = dict(need_weights=True, average_attn_weights=False)
    if c["causal"]:
        kwargs["attn_mask"] = torch.triu(torch.ones(tq, tk, dtype=torch.bool), 1)
    if c["lengths"] is not None:
        kwargs["key_padding_mask"] = torch.arange(tk)[None, :] >= torch.tensor(c["lengths"])[:, None]
    out, weights = mha(query, context, context, **kwargs)
    r = tensor([b, tq, d], 0.83, 0.5)
    (out * r).sum().backward()
    row = dict(c)
    row.update(
        self_attention=self_attention,
        in_proj_weight=mha.in_proj_weight.detach().flatten().tolist(),
        out_proj_weight=mha.out_proj.weight.detach().flatten().tolist(),
        in_proj_bias=mha.in_proj_bias.detach().flatten().tolist() if c["bias"] else None,
        out_proj_bias=mha.out_proj.bias.detach().flatten().tolist() if c["bias"] else None,
        query=query.detach().flatten().tolist(),
        context=context.detach().flatten().tolist(),
        r=r.flatten().tolist(),
        out=out.detach().flatten().tolist(),
        weights=weights.detach().flatten().tolist(),
        grad_query=query.grad.flatten().tolist(),
        grad_context=None if self_attention else context.grad.flatten().tolist(),
    )
    return row


if __name__ == "__main__":
    print(json.dumps({"torch": torch.__version__, "cases": [run(c) for c in CASES]}, indent=1))
