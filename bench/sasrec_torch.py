#!/usr/bin/env python3
"""PyTorch reference for SASRec training speed.

The same network as Wren's SASRec: an item table E ((items + 1) x d, row
`items` is padding), learned positions P (L x d), input E[seq]*sqrt(d) + P
times the padding mask, then dropout; `blocks` pre-LayerNorm single-head
blocks (causal self-attention without biases, padding keys excluded, then a
ReLU feed-forward d -> d -> d, each added back through dropout, the mask
reapplied after each block); a final LayerNorm (eps 1e-5, learnable gain and
bias); initialised as Wren does. Loss: sampled-softmax cross-entropy per
valid position (target not padding), logits [H.E[target], H.E[neg_1..N]] with the N negatives shared by
the batch, target at index 0, mean over valid positions. Adam (lr 0.001,
PyTorch's default betas), dense gradients, on one CPU thread. A second run
from the same initial weights uses a sparse item table with SparseAdam (Adam
for the rest) and is reported under "sparse".

Trains one pass over the batches the TS bench wrote, so both sides see the
same stream. batches.bin holds, per step and back to back, B*L input ids,
B*L target ids (padding = items where there is no target), then N negative
ids, all little-endian int32. The first 3 steps are warm-up; steps 3.. are
timed. Prints one JSON object: sequences/s, valid positions/s, ms/step.

Uses Debian's python3-torch (apt-get install -y python3-torch) under
/usr/bin/python3, installed by the bench; never a runtime dependency of Wren.
That build calls the system libblas.so.3: with only Debian's reference BLAS
it is several times slower than with OpenBLAS, so the JSON names the BLAS
library the process loaded ("blas").

    /usr/bin/python3 bench/sasrec_torch.py batches.bin items steps B L N [d blocks]
"""
import json
import math
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

DROPOUT = 0.2
LR = 0.001
WARMUP = 3


class Block(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.w1 = nn.Linear(d, d)
        self.w2 = nn.Linear(d, d)
        self.drop = nn.Dropout(p)
        self.scale = 1.0 / math.sqrt(d)

    def forward(self, x, att_mask, mask):
        h = self.ln1(x)
        q, k, v = self.wq(h), self.wk(h), self.wv(h)
        w = torch.softmax(q @ k.transpose(1, 2) * self.scale + att_mask, dim=-1)
        x = x + self.drop(w @ v)
        h = self.ln2(x)
        x = x + self.drop(self.w2(torch.relu(self.w1(h))))
        return x * mask


class SASRec(nn.Module):
    def __init__(self, items, L, d, blocks, p, sparse):
        super().__init__()
        self.items = items
        self.d = d
        self.item = nn.Embedding(items + 1, d, sparse=sparse)
        self.pos = nn.Parameter(torch.empty(L, d))
        self.drop = nn.Dropout(p)
        self.blocks = nn.ModuleList(Block(d, p) for _ in range(blocks))
        self.ln = nn.LayerNorm(d, eps=1e-5)
        # Wren's init: table and positions N(0, 1/d), d x d weights
        # Glorot-uniform, biases 0, LayerNorm gain 1 and bias 0.
        nn.init.normal_(self.item.weight, std=1 / math.sqrt(d))
        nn.init.normal_(self.pos, std=1 / math.sqrt(d))
        with torch.no_grad():
            self.item.weight[items].zero_()
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        # causal: position i attends to j <= i
        self.register_buffer("causal", torch.ones(L, L, dtype=torch.bool).tril())

    def loss(self, seq, tgt, neg):
        mask = (seq != self.items).unsqueeze(-1).to(torch.float32)  # B x L x 1
        allowed = self.causal.unsqueeze(0) & (seq != self.items).unsqueeze(1)  # B x L(q) x L(k)
        att_mask = torch.zeros(allowed.shape).masked_fill_(~allowed, -1e9)
        x = (self.item(seq) * math.sqrt(self.d) + self.pos) * mask
        x = self.drop(x)
        for b in self.blocks:
            x = b(x, att_mask, mask)
        h = self.ln(x).reshape(-1, self.d)  # B*L x d
        t = tgt.reshape(-1)
        valid = t != self.items
        hv = h[valid]
        pos = (hv * self.item(t[valid])).sum(-1, keepdim=True)  # V x 1
        negs = hv @ self.item(neg).t()  # V x N
        logits = torch.cat([pos, negs], dim=1)
        return -torch.log_softmax(logits, dim=1)[:, 0].mean()


def train(batches, items, L, d, blocks, sparse):
    torch.manual_seed(1)
    model = SASRec(items, L, d, blocks, DROPOUT, sparse)
    model.train()
    if sparse:
        rest = [p for n, p in model.named_parameters() if n != "item.weight"]
        opts = [torch.optim.SparseAdam([model.item.weight], lr=LR), torch.optim.Adam(rest, lr=LR)]
    else:
        opts = [torch.optim.Adam(model.parameters(), lr=LR)]
    warm = min(WARMUP, len(batches) - 1)
    losses = []
    positions = 0
    t0 = time.perf_counter()
    for s, (seq, tgt, neg, nvalid) in enumerate(batches):
        if s == warm:
            t0 = time.perf_counter()
            positions = 0
        for o in opts:
            o.zero_grad()
        loss = model.loss(seq, tgt, neg)
        loss.backward()
        for o in opts:
            o.step()
        losses.append(loss.item())
        positions += nvalid
    sec = time.perf_counter() - t0
    timed = len(batches) - warm
    B = batches[0][0].shape[0]
    return {
        "timed_steps": timed,
        "seconds": sec,
        "ms_per_step": 1000 * sec / timed,
        "sequences_per_s": B * timed / sec,
        "positions_per_s": positions / sec,
        "loss_first": losses[0],
        "loss_last": losses[-1],
    }


def blas_library():
    """The BLAS shared object this process mapped (Linux), or None."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    except OSError:
        return None
    return ", ".join(sorted(libs)) or None


def main():
    if len(sys.argv) < 7:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    path = sys.argv[1]
    items, steps, B, L, N = (int(a) for a in sys.argv[2:7])
    d = int(sys.argv[7]) if len(sys.argv) > 7 else 64
    blocks = int(sys.argv[8]) if len(sys.argv) > 8 else 2
    torch.set_num_threads(1)
    per = 2 * B * L + N
    raw = np.fromfile(path, dtype="<i4")
    if raw.size != steps * per:
        sys.exit(f"{path}: {raw.size} int32s, expected steps*(2*B*L+N) = {steps * per}")
    raw = raw.reshape(steps, per).astype(np.int64)
    if raw.min() < 0 or raw.max() > items:
        sys.exit(f"{path}: ids outside 0..{items}")
    batches = []
    for s in range(steps):
        seq = torch.from_numpy(raw[s, : B * L].reshape(B, L).copy())
        tgt = torch.from_numpy(raw[s, B * L : 2 * B * L].reshape(B, L).copy())
        neg = torch.from_numpy(raw[s, 2 * B * L :].copy())
        batches.append((seq, tgt, neg, int((tgt != items).sum())))
    dense = train(batches, items, L, d, blocks, sparse=False)
    sparse = train(batches, items, L, d, blocks, sparse=True)
    print(json.dumps({
        "impl": "pytorch",
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": blas_library(),
        "steps": steps,
        "warmup_steps": steps - dense["timed_steps"],
        "B": B, "L": L, "N": N, "d": d, "blocks": blocks, "items": items,
        **dense,
        "sparse": sparse,
    }))


if __name__ == "__main__":
    main()
