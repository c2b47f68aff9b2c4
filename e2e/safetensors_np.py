"""Reads a float32 safetensors file with the standard library and numpy (no safetensors
package needed), for the e2e parity scripts: {tensor name: numpy array}."""
import json
import struct

import numpy as np


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + start:8 + n + end], dtype=np.float32).reshape(entry["shape"]).copy()
    return out
