#!/usr/bin/env python3
"""PyTorch reference for NeuMF training speed (bench/models.ts --only speed).

The same network as Wren's NeuMF: GMF with 8 factors, an MLP tower
[64, 32, 16, 8] over 32-d user and item embeddings, one output layer over
both, binary cross-entropy on logits, Adam (lr 0.001), batch 256, on one CPU
thread (or as many as asked). Trains on the (user, item, label) samples bench/models.ts wrote, so
both sides see the same stream. Prints one JSON object: samples/s.

Uses Debian's python3-torch, installed by the bench; never a runtime
dependency of Wren.

    python3 bench/neumf_torch.py samples.bin users items [batch] [threads]
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


class NeuMF(nn.Module):
    def __init__(self, users, items, factors=8, emb=32, layers=(32, 16, 8)):
        super().__init__()
        self.ug = nn.Embedding(users, factors)
        self.ig = nn.Embedding(items, factors)
        self.um = nn.Embedding(users, emb)
        self.im = nn.Embedding(items, emb)
        for e in (self.ug, self.ig, self.um, self.im):
            nn.init.normal_(e.weight, std=0.01)
        sizes = [2 * emb, *layers]
        self.tower = nn.Sequential(
            *[m for i in range(1, len(sizes)) for m in (nn.Linear(sizes[i - 1], sizes[i]), nn.ReLU())]
        )
        self.out = nn.Linear(factors + layers[-1], 1)

    def forward(self, u, i):
        gmf = self.ug(u) * self.ig(i)
        mlp = self.tower(torch.cat([self.um(u), self.im(i)], dim=1))
        return self.out(torch.cat([gmf, mlp], dim=1)).squeeze(1)


def main():
    path, users, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 256
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    raw = np.fromfile(path, dtype=np.int32).reshape(3, -1)
    u = torch.from_numpy(raw[0].astype(np.int64))
    i = torch.from_numpy(raw[1].astype(np.int64))
    y = torch.from_numpy(raw[2].astype(np.float32))
    model = NeuMF(users, items)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.BCEWithLogitsLoss()
    n = len(y)
    t0 = time.perf_counter()
    total = 0.0
    for b in range(0, n, batch):
        opt.zero_grad()
        loss = loss_fn(model(u[b : b + batch], i[b : b + batch]), y[b : b + batch])
        loss.backward()
        opt.step()
        total += loss.item()
    s = time.perf_counter() - t0
    print(json.dumps({
        "samples": n,
        "seconds": s,
        "samplesPerSecond": n / s,
        "meanLoss": total / ((n + batch - 1) // batch),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
