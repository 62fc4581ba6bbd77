#!/usr/bin/env python3
"""Trains NeuMF (He et al., WWW 2017) in PyTorch and writes it in Wren's layout.

Reads a MovieLens ratings file (ratings.csv: userId,movieId,rating,timestamp,
as `wren export` or the MovieLens archives give it) and optionally movies.csv
(so every movie of the catalogue gets a row), trains NeuMF on every rating as
an implicit positive with sampled negatives, and writes a safetensors file
Wren imports (docs/safetensors.md): `wren recommend --model-file`, or the
Models page's import, then rank For You with it.

    /usr/bin/python3 scripts/train_neumf_torch.py --ratings ratings.csv \\
        --movies movies.csv --out neumf.safetensors --epochs 5

Needs torch and numpy (Debian: python3-torch); the safetensors file is written
by hand, without the safetensors package.
"""

import argparse
import csv
import json
import struct
import sys

import numpy as np
import torch
from torch import nn


def read_ratings(path):
    """(user ids, movie ids, timestamps) of a ratings.csv."""
    users, movies, times = [], [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            users.append(int(row["userId"]))
            movies.append(int(row["movieId"]))
            times.append(int(row.get("timestamp") or 0))
    return np.array(users), np.array(movies), np.array(times)


def read_movie_ids(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [int(row["movieId"]) for row in csv.DictReader(f)]


def tower_sizes(mlp_embedding, mlp_layers):
    """Wren's MLP tower widths, input first: 2e → e → e/2 …"""
    sizes = [2 * mlp_embedding]
    for _ in range(mlp_layers):
        sizes.append(max(1, sizes[-1] >> 1))
    return sizes


class NeuMF(nn.Module):
    def __init__(self, users, items, factors, mlp_embedding, mlp_layers):
        super().__init__()
        self.user_gmf = nn.Embedding(users, factors)
        self.item_gmf = nn.Embedding(items, factors)
        self.user_mlp = nn.Embedding(users, mlp_embedding)
        self.item_mlp = nn.Embedding(items, mlp_embedding)
        for e in (self.user_gmf, self.item_gmf, self.user_mlp, self.item_mlp):
            nn.init.normal_(e.weight, std=0.01)
        sizes = tower_sizes(mlp_embedding, mlp_layers)
        self.tower = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(factors + sizes[-1], 1)

    def forward(self, u, i):
        g = self.user_gmf(u) * self.item_gmf(i)
        h = torch.cat([self.user_mlp(u), self.item_mlp(i)], dim=1)
        for layer in self.tower:
            h = torch.relu(layer(h))
        return self.out(torch.cat([g, h], dim=1)).squeeze(1)


def write_safetensors(path, tensors, metadata):
    """Hand-written safetensors: header length, JSON header (padded to 8 bytes), data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = {np.dtype("float32"): "F32", np.dtype("int32"): "I32"}[a.dtype]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    raw = json.dumps(header).encode("utf-8")
    raw += b" " * ((8 - (8 + len(raw)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main(argv=None):
    p = argparse.ArgumentParser(description="Train NeuMF in PyTorch, write it for Wren.")
    p.add_argument("--ratings", required=True)
    p.add_argument("--movies", help="movies.csv: every movie gets a row (default: rated ones)")
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--factors", type=int, default=8)
    p.add_argument("--mlp-embedding", type=int, default=32)
    p.add_argument("--mlp-layers", type=int, default=3)
    p.add_argument("--negatives", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--hold-out-latest",
        metavar="FILE",
        help="leave each user's latest rating out of training and write them (userId,movieId) to FILE",
    )
    a = p.parse_args(argv)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    user_col, movie_col, times = read_ratings(a.ratings)
    user_ids = np.unique(user_col)
    movie_ids = np.array(read_movie_ids(a.movies) if a.movies else np.unique(movie_col))
    u_index = {int(x): i for i, x in enumerate(user_ids)}
    m_index = {int(x): i for i, x in enumerate(movie_ids)}
    missing = {int(m) for m in movie_col if int(m) not in m_index}
    if missing:
        sys.exit(f"train_neumf_torch: {len(missing)} rated movies are not in {a.movies}")
    users = np.array([u_index[int(x)] for x in user_col])
    items = np.array([m_index[int(x)] for x in movie_col])
    keep = np.ones(len(users), dtype=bool)
    if a.hold_out_latest:
        # Each user's latest rating (the last of the latest timestamp), held out.
        order = np.lexsort((np.arange(len(users)), times, users))
        last = order[np.r_[users[order][1:] != users[order][:-1], True]]
        keep[last] = False
        with open(a.hold_out_latest, "w", encoding="utf-8") as f:
            f.write("userId,movieId\n")
            for r in last:
                f.write(f"{user_col[r]},{movie_col[r]}\n")
    users, items = users[keep], items[keep]
    n_users, n_items = len(user_ids), len(movie_ids)
    rated = set(zip(users.tolist(), items.tolist()))

    model = NeuMF(n_users, n_items, a.factors, a.mlp_embedding, a.mlp_layers)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(a.epochs):
        neg_u = np.repeat(users, a.negatives)
        neg_i = rng.integers(0, n_items, size=len(neg_u))
        for j in range(len(neg_u)):
            while (int(neg_u[j]), int(neg_i[j])) in rated:
                neg_i[j] = rng.integers(0, n_items)
        u_all = np.concatenate([users, neg_u])
        i_all = np.concatenate([items, neg_i])
        y_all = np.concatenate([np.ones(len(users)), np.zeros(len(neg_u))]).astype(np.float32)
        perm = rng.permutation(len(u_all))
        total = 0.0
        for s in range(0, len(perm), a.batch_size):
            b = perm[s : s + a.batch_size]
            logits = model(torch.from_numpy(u_all[b]), torch.from_numpy(i_all[b]))
            loss = loss_fn(logits, torch.from_numpy(y_all[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(b)
        print(f"epoch {epoch + 1}: loss {total / len(perm):.4f}", file=sys.stderr)

    f32 = lambda t: t.detach().numpy().astype(np.float32)  # noqa: E731
    tensors = {
        "userGmf": f32(model.user_gmf.weight),
        "itemGmf": f32(model.item_gmf.weight),
        "userMlp": f32(model.user_mlp.weight),
        "itemMlp": f32(model.item_mlp.weight),
    }
    # Wren's dense weights: each layer's W as (inputs × outputs), then b as (1 × outputs).
    layers = list(model.tower) + [model.out]
    for j, layer in enumerate(layers):
        tensors[f"dense{2 * j}"] = f32(layer.weight).T.copy()
        tensors[f"dense{2 * j + 1}"] = f32(layer.bias).reshape(1, -1)
    tensors["movieIds"] = movie_ids.astype(np.int32)
    tensors["userIds"] = user_ids.astype(np.int32)
    config = {"factors": a.factors, "mlpEmbedding": a.mlp_embedding, "mlpLayers": a.mlp_layers}
    write_safetensors(
        a.out,
        tensors,
        {
            "format": "wren-model",
            "version": "1",
            "model": "neumf",
            "config": json.dumps(config),
            "userCount": str(n_users),
            "itemCount": str(n_items),
            "trainedBy": f"PyTorch {torch.__version__} (scripts/train_neumf_torch.py)",
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
