#!/usr/bin/env python3
"""Scores users with a Wren ranking model saved as safetensors, in numpy alone.

The layout is described in docs/safetensors.md: each saved array of the model
is a tensor under its own name, `movieIds` and `userIds` key the item and user
rows by MovieLens id, and `__metadata__` holds the model's name, settings and
sizes. The forward passes below compute what Wren computes in the browser (a
unit test, test/unit/models/safetensors.test.ts, holds them to 1e-5).

    python3 scripts/wren_model.py model.safetensors --history 1,50,260 --top 10
    python3 scripts/wren_model.py model.safetensors --user 42 --top 10

As a module:

    import wren_model
    m = wren_model.load("model.safetensors")
    m.score_user(index)          # a score for every item row, by user row
    m.score_history([1, 50])     # by MovieLens movie ids, oldest first
    m.movie_ids[m.top(scores, 10)]

Needs numpy only (the safetensors package is not used).
"""

import argparse
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "I32": np.int32, "F64": np.float64, "I64": np.int64}


class WrenModelError(Exception):
    """A file this loader cannot read, or a model it cannot score."""


def read_safetensors(path):
    """(tensors by name as numpy arrays, metadata dict) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise WrenModelError(f"{path}: shorter than a safetensors header")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise WrenModelError(f"{path}: the {n}-byte header is cut short")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = memoryview(raw)[8 + n :]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, e in header.items():
        if e["dtype"] not in DTYPES:
            raise WrenModelError(f"{path}: tensor {name} is {e['dtype']}")
        begin, end = e["data_offsets"]
        dt = np.dtype(DTYPES[e["dtype"]]).newbyteorder("<")
        a = np.frombuffer(data[begin:end], dtype=dt).reshape(e["shape"])
        tensors[name] = a.astype(dt.newbyteorder("="))
    return tensors, meta


def _dense(t):
    """dense0, dense1, ... in order."""
    out = []
    while f"dense{len(out)}" in t:
        out.append(t[f"dense{len(out)}"].astype(np.float64))
    return out


def _tower(x, weights, last_linear):
    """x through [W, b] pairs; ReLU after each layer (but the last where last_linear)."""
    for j in range(0, len(weights), 2):
        x = x @ weights[j] + weights[j + 1]
        if not last_linear or j + 2 < len(weights):
            x = np.maximum(x, 0)
    return x


def _layer_norm(x, g, b, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g.reshape(-1) + b.reshape(-1)


class WrenModel:
    """A loaded model: score_user(index) and score_history(movie ids) give a score per item row."""

    HISTORY = {"popularity", "itemknn", "puresvd", "ease", "mult-vae", "sasrec", "gru4rec"}
    KNOWN = HISTORY | {"gmf", "mlp", "neumf", "two-tower"}

    def __init__(self, tensors, meta):
        if meta.get("format") != "wren-model":
            raise WrenModelError("not a Wren model file (metadata format is not 'wren-model')")
        self.name = meta.get("model", "")
        if self.name not in self.KNOWN:
            raise WrenModelError(
                f"this loader cannot score a '{self.name}' model; it scores "
                + ", ".join(sorted(self.KNOWN))
            )
        self.meta = meta
        self.config = json.loads(meta.get("config", "{}"))
        self.t = tensors
        self.item_count = int(meta["itemCount"])
        self.user_count = int(meta["userCount"])
        self.movie_ids = tensors["movieIds"]
        self.user_ids = tensors["userIds"]
        self._movie_index = {int(m): i for i, m in enumerate(self.movie_ids)}
        self._user_index = {int(u): i for i, u in enumerate(self.user_ids)}

    # --- ids -------------------------------------------------------------
    def movie_rows(self, movie_ids):
        """Item rows of MovieLens movie ids (ids the model does not know are left out)."""
        return [self._movie_index[int(m)] for m in movie_ids if int(m) in self._movie_index]

    def user_row(self, user_id):
        if int(user_id) not in self._user_index:
            raise WrenModelError(f"user {user_id} is not in this model")
        return self._user_index[int(user_id)]

    def history_rows(self, user):
        """A user row's training history (item rows, in the order Wren keeps them)."""
        o = self.t["historyOffsets"]
        return self.t["historyItems"][o[user] : o[user + 1]].tolist()

    # --- scoring ---------------------------------------------------------
    def score_user(self, user):
        """Scores of every item row for a user row, as Wren's score(user)."""
        if self.name == "popularity":
            return self.t["counts"].astype(np.float64)
        if self.name in self.HISTORY:
            return self.score_rows(self.history_rows(user))
        rows = [self.t[n][user] for n in ("userGmf", "userMlp") if n in self.t]
        return self._ncf(rows)

    def score_history(self, movie_ids):
        """Scores of every item row from MovieLens movie ids (oldest first for sequences)."""
        return self.score_rows(self.movie_rows(movie_ids))

    def score_rows(self, rows):
        """Scores of every item row from a history of item rows."""
        f = getattr(self, "_" + self.name.replace("-", "_"), None)
        if self.name in ("gmf", "mlp", "neumf", "two-tower"):
            raise WrenModelError(
                f"{self.name} scores a user row (--user); Wren ranks a new person with it by "
                "fold-in, which this loader does not do"
            )
        return f(list(rows))

    def top(self, scores, k, exclude=()):
        """Item rows of the k best scores, best first, leaving out `exclude` rows."""
        s = np.array(scores, dtype=np.float64)
        s[list(exclude)] = -np.inf
        order = np.argsort(-s, kind="stable")
        return order[:k]

    # popularity
    def _popularity(self, rows):
        return self.t["counts"].astype(np.float64)

    # ItemKNN: the summed similarity of each movie to the history's movies.
    def _itemknn(self, rows):
        o, it, sim = self.t["rowOffsets"], self.t["rowItems"], self.t["rowSims"]
        out = np.zeros(self.item_count, dtype=np.float32)
        for i in rows:
            np.add.at(out, it[o[i] : o[i + 1]], sim[o[i] : o[i + 1]])
        return out.astype(np.float64)

    # PureSVD: r_u V Vᵀ.
    def _puresvd(self, rows):
        v = self.t["v"].astype(np.float64)
        p = v[rows].sum(axis=0) if rows else np.zeros(v.shape[1])
        return v @ p

    # EASE: x B (primal) or x − (x − t X) ⊙ d with t = K⁻¹ X x (dual); unmodelled movies −1e9.
    def _ease(self, rows):
        active = self.t["active"]
        col = np.full(self.item_count, -1, dtype=np.int64)
        col[active] = np.arange(len(active))
        cols = sorted({int(col[m]) for m in rows if col[m] >= 0})
        if "b" in self.t:
            b = self.t["b"].astype(np.float64)
            row = b[cols].sum(axis=0) if cols else np.zeros(len(active))
        else:
            kinv = self.t["kinv"].astype(np.float64)
            d = self.t["d"].astype(np.float64)
            users = kinv.shape[0]
            o, hist = self.t["historyOffsets"], self.t["historyItems"]
            # X: users × modelled columns, from the training histories.
            x = np.zeros((users, len(active)))
            for u in range(users):
                c = col[hist[o[u] : o[u + 1]]]
                x[u, c[c >= 0]] = 1
            w = x[:, cols].sum(axis=1)
            t = kinv.T @ w
            r = t @ x
            xj = np.zeros(len(active))
            xj[cols] = 1
            row = xj - (xj - r) * d
        out = np.full(self.item_count, -1e9)
        out[active] = row
        return out

    # NCF: the logit of (user, every movie).
    def _ncf(self, user_rows):
        dense = _dense(self.t)
        name = self.name
        if name == "gmf":
            g = user_rows[0].astype(np.float64) * self.t["itemGmf"]
            return (g @ dense[0] + dense[1]).reshape(-1)
        if name == "two-tower":
            per = (len(dense) - 1) // 2
            u = _tower(user_rows[0].astype(np.float64)[None, :], dense[:per], True)
            i = _tower(self.t["itemMlp"].astype(np.float64), dense[per : 2 * per], True)
            return (i @ u.reshape(-1)) + dense[2 * per].reshape(-1)[0]
        n = len(dense) - 2
        um = user_rows[-1].astype(np.float64)
        im = self.t["itemMlp"].astype(np.float64)
        x = np.concatenate([np.tile(um, (im.shape[0], 1)), im], axis=1)
        h = _tower(x, dense[:n], False)
        if name == "neumf":
            g = user_rows[0].astype(np.float64) * self.t["itemGmf"]
            h = np.concatenate([g, h], axis=1)
        return (h @ dense[n] + dense[n + 1]).reshape(-1)

    # Mult-VAE: the decoder's logits for the mean z of the history's 1/√n row.
    def _mult_vae(self, rows):
        w1, b1, w2, b2, w3, b3, w4, b4 = _dense(self.t)
        movies = list(dict.fromkeys(m for m in rows if 0 <= m < self.item_count))
        pre = (1 / np.sqrt(max(1, len(movies)))) * w1[movies].sum(axis=0)
        h = np.tanh(pre + b1.reshape(-1))
        q = h @ w2 + b2.reshape(-1)
        latent = w3.shape[0]
        d = np.tanh(q[:latent] @ w3 + b3.reshape(-1))
        return d @ w4 + b4.reshape(-1)

    # SASRec: causal self-attention over the latest maxLen movies; the last state · each row.
    def _sasrec(self, rows):
        items = self.t["items"].astype(np.float64)
        dim, max_len, blocks = self.config["dim"], self.config["maxLen"], self.config["blocks"]
        dense = _dense(self.t)
        seq = rows[-max_len:]
        if not seq:
            return np.zeros(self.item_count)
        n = len(seq)
        x = items[seq] * np.sqrt(dim) + dense[0][max_len - n :]
        causal = np.tril(np.ones((n, n), dtype=bool))
        for b in range(blocks):
            W = dense[1 + 11 * b : 12 + 11 * b]
            h = _layer_norm(x, W[0], W[1])
            q, k, v = h @ W[2], h @ W[3], h @ W[4]
            s = np.where(causal, q @ k.T / np.sqrt(dim), -np.inf)
            s = np.exp(s - s.max(axis=1, keepdims=True))
            s /= s.sum(axis=1, keepdims=True)
            x = x + s @ v
            h2 = _layer_norm(x, W[5], W[6])
            f = np.maximum(h2 @ W[7] + W[8].reshape(-1), 0) @ W[9] + W[10].reshape(-1)
            x = x + f
        f = 1 + 11 * blocks
        state = _layer_norm(x[-1], dense[f], dense[f + 1])
        return items[: self.item_count] @ state

    # GRU4Rec: a GRU (PyTorch's gates r, z, n) over the latest maxLen movies; the state · each row.
    def _gru4rec(self, rows):
        items = self.t["items"].astype(np.float64)
        dim, max_len = self.config["dim"], self.config["maxLen"]
        wx, wh, bx, bh = _dense(self.t)
        h = np.zeros(dim)
        for m in rows[-max_len:]:
            gx = items[m] @ wx + bx.reshape(-1)
            gh = h @ wh + bh.reshape(-1)
            r = 1 / (1 + np.exp(-(gx[:dim] + gh[:dim])))
            z = 1 / (1 + np.exp(-(gx[dim : 2 * dim] + gh[dim : 2 * dim])))
            nn = np.tanh(gx[2 * dim :] + r * gh[2 * dim :])
            h = (1 - z) * nn + z * h
        return items[: self.item_count] @ h


def load(path):
    """A WrenModel from a safetensors file in Wren's layout."""
    tensors, meta = read_safetensors(path)
    return WrenModel(tensors, meta)


def main(argv=None):
    p = argparse.ArgumentParser(description="Score users with a Wren model (safetensors).")
    p.add_argument("file")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--history", help="MovieLens movie ids, comma-separated, oldest first")
    who.add_argument("--user", type=int, help="a MovieLens user id of the model's users")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print JSON instead of lines")
    a = p.parse_args(argv)
    try:
        m = load(a.file)
        if a.user is not None:
            u = m.user_row(a.user)
            scores = m.score_user(u)
            seen = m.history_rows(u) if "historyOffsets" in m.t else []
        else:
            ids = [int(x) for x in a.history.split(",") if x.strip()]
            scores = m.score_history(ids)
            seen = m.movie_rows(ids)
    except (WrenModelError, ValueError, KeyError) as e:
        print(f"wren_model: {e}", file=sys.stderr)
        return 1
    best = m.top(scores, a.top, exclude=seen)
    rows = [{"movieId": int(m.movie_ids[i]), "score": float(scores[i])} for i in best]
    if a.json:
        print(json.dumps({"model": m.name, "top": rows}))
    else:
        for r in rows:
            print(f"{r['movieId']}\t{r['score']:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
