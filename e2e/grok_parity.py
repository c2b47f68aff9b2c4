#!/usr/bin/env python3
"""PyTorch re-implementation of slurry's grokking model and trainer, for e2e/grok-parity.test.ts.

Reads the step-0 checkpoint of a slurry grok run (model.safetensors, GPT-2 Conv1D layout) and
the run's training split (JSON: tokens [n*3], labels [n]), trains it full-batch with
torch.optim.AdamW (lr 1e-3, betas 0.9/0.98, eps 1e-8, weight decay on every parameter,
10-step linear warm-up) and prints the training loss of every step as one JSON list.
Usage: grok_parity.py CHECKPOINT_DIR SPLIT_JSON STEPS N_HEAD WEIGHT_DECAY
"""
import json
import math
import sys

import torch

from safetensors_np import read_safetensors

ckpt, split_path, steps, n_head, wd = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
torch.set_num_threads(2)


P = {name: torch.nn.Parameter(torch.tensor(a)) for name, a in read_safetensors(ckpt + "/model.safetensors").items()}
split = json.load(open(split_path))
tokens = torch.tensor(split["tokens"]).view(-1, 3)
labels = torch.tensor(split["labels"])
N, T = tokens.shape
C = P["transformer.wte.weight"].shape[1]
H, hs = n_head, C // n_head
h0 = "transformer.h.0."


def forward():
    x = P["transformer.wte.weight"][tokens] + P["transformer.wpe.weight"][:T]
    q, k, v = (x @ P[h0 + "attn.c_attn.weight"] + P[h0 + "attn.c_attn.bias"]).split(C, dim=-1)
    q, k, v = (t.view(N, T, H, hs).transpose(1, 2) for t in (q, k, v))
    att = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
    att = att.masked_fill(~torch.ones(T, T).tril().bool(), float("-inf")).softmax(-1)
    y = (att @ v).transpose(1, 2).reshape(N, T, C)
    x = x + y @ P[h0 + "attn.c_proj.weight"] + P[h0 + "attn.c_proj.bias"]
    h = torch.relu(x @ P[h0 + "mlp.c_fc.weight"] + P[h0 + "mlp.c_fc.bias"])
    x = x + h @ P[h0 + "mlp.c_proj.weight"] + P[h0 + "mlp.c_proj.bias"]
    return x[:, -1] @ P["lm_head.weight"].T


opt = torch.optim.AdamW(P.values(), lr=1e-3, betas=(0.9, 0.98), eps=1e-8, weight_decay=wd)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / 10, 1.0))
losses = []
for step in range(steps + 1):
    loss = torch.nn.functional.cross_entropy(forward().double(), labels)
    losses.append(loss.item())
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
print(json.dumps(losses))
