#!/usr/bin/env python3
"""An independent GPT-2 forward pass in PyTorch over a slurry checkpoint directory, with the
semantics of Hugging Face's GPT2LMHeadModel (Conv1D weights [in, out], pre-LayerNorm blocks,
gelu_new, tied or untied unembedding). Reads model.safetensors with e2e/safetensors_np.py, prints the log-probability of each token after the first as a JSON list.

    gpt2_score.py CHECKPOINT_DIR '[id, id, ...]'
"""
import json, math, sys
import torch
import torch.nn.functional as F
from safetensors_np import read_safetensors

ckpt, ids = sys.argv[1], json.loads(sys.argv[2])
cfg = json.load(open(f"{ckpt}/config.json"))
W = {name: torch.from_numpy(a).double() for name, a in read_safetensors(f"{ckpt}/model.safetensors").items()}

C, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
eps = cfg.get("layer_norm_epsilon", 1e-5)
ln = (lambda x, p: F.layer_norm(x, (C,), W[p + ".weight"], W[p + ".bias"], eps)) if cfg.get("layer_norm", True) else (lambda x, p: x)
act = (lambda x: F.gelu(x, approximate="tanh")) if cfg.get("activation_function", "gelu_new") == "gelu_new" else F.relu

x = torch.tensor(ids)
T = len(ids)
h = W["transformer.wte.weight"][x] + W["transformer.wpe.weight"][:T]
mask = torch.ones(T, T, dtype=torch.bool).tril()
for l in range(L):
    p = f"transformer.h.{l}"
    qkv = ln(h, p + ".ln_1") @ W[p + ".attn.c_attn.weight"] + W[p + ".attn.c_attn.bias"]
    q, k, v = (t.view(T, H, C // H).transpose(0, 1) for t in qkv.split(C, dim=1))
    att = (q @ k.transpose(1, 2)) / math.sqrt(C // H)
    att = att.masked_fill(~mask, float("-inf")).softmax(-1)
    y = (att @ v).transpose(0, 1).reshape(T, C)
    h = h + y @ W[p + ".attn.c_proj.weight"] + W[p + ".attn.c_proj.bias"]
    m = act(ln(h, p + ".ln_2") @ W[p + ".mlp.c_fc.weight"] + W[p + ".mlp.c_fc.bias"])
    h = h + m @ W[p + ".mlp.c_proj.weight"] + W[p + ".mlp.c_proj.bias"]
h = ln(h, "transformer.ln_f")
unembed = W["transformer.wte.weight"] if cfg.get("tie_word_embeddings", True) else W["lm_head.weight"]
logp = (h @ unembed.T).log_softmax(-1)
print(json.dumps([logp[t, ids[t + 1]].item() for t in range(T - 1)]))
