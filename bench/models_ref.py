#!/usr/bin/env python3
"""Reference baselines for bench/models.ts, on the identical split.

Reads the split that bench/models.ts wrote (JSON: userCount, itemCount, the
training (user, item) pairs, and either the ncf-loo candidates or the held-out
test/validation pairs and the catalogue), fits TopPop, ItemKNN (cosine, k
neighbours per item, Dacrema et al.'s ItemKNNCF), PureSVD (scipy's svds) and
EASE (numpy's dense inverse, at the lambda Wren chose on validation),
and scores them with the same rules as src/core/eval (the held-out item sits
in the middle of its tie group; top-k ties go to the lower item index).

Uses numpy and scipy only (Debian's python3-scipy). Never a runtime
dependency of Wren.

    python3 bench/models_ref.py split.json '{"neighbours": 100, "factors": 20}'
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds


def binary_matrix(split):
    u = np.asarray(split["trainUsers"], dtype=np.int64)
    i = np.asarray(split["trainItems"], dtype=np.int64)
    x = sp.csr_matrix(
        (np.ones(len(u), dtype=np.float64), (u, i)),
        shape=(split["userCount"], split["itemCount"]),
    )
    x.data[:] = 1.0  # repeated pairs count once
    return x


def itemknn(x, k, shrink):
    co = (x.T @ x).tocsc().astype(np.float64)
    norms = np.sqrt(np.asarray(x.sum(axis=0)).ravel())
    co.setdiag(0)
    co.eliminate_zeros()
    rows, cols, vals = [], [], []
    for j in range(co.shape[1]):
        start, end = co.indptr[j], co.indptr[j + 1]
        if start == end:
            continue
        idx = co.indices[start:end]
        sim = co.data[start:end] / (norms[idx] * norms[j] + shrink + 1e-9)
        if len(idx) > k:
            # ties go to the lower item index, as Wren's topK
            order = np.lexsort((idx, -sim))[:k]
            idx, sim = idx[order], sim[order]
        rows.append(idx)
        cols.append(np.full(len(idx), j))
        vals.append(sim)
    w = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=co.shape,
    )
    return lambda users: np.asarray((x[users] @ w).todense())


def puresvd(x, factors, seed):
    _, _, vt = svds(x.astype(np.float64), k=factors, random_state=seed)
    v = vt.T
    return lambda users: np.asarray(x[users] @ v) @ v.T


def ease(x, lam):
    """EASE (Steck 2019): B = -P / diag(P), zero diagonal, P = (X'X + lam I)^-1;
    through the users x users Woodbury form when users < items. Movies without
    a training interaction score below all others, as in Wren."""
    xd = x.toarray()
    users, items = xd.shape
    seen = xd.sum(axis=0) > 0
    if users < items:
        kinv = np.linalg.inv(xd @ xd.T + lam * np.eye(users))
        d = 1 / (1 - np.einsum("ij,ij->j", xd, kinv @ xd))

        def scores(xu):
            return xu - (xu - (xu @ xd.T) @ kinv @ xd) * d

    else:
        p = np.linalg.inv(xd.T @ xd + lam * np.eye(items))
        b = p / -np.diag(p)
        np.fill_diagonal(b, 0)

        def scores(xu):
            return xu @ b

    def scorer(users_):
        s = scores(xd[users_])
        s[:, ~seen] = -1e9
        return s

    return scorer


def toppop(x):
    counts = np.asarray(x.sum(axis=0)).ravel()
    return lambda users: np.tile(counts, (len(users), 1))


def eval_loo(split, scorer):
    users = np.asarray(split["users"], dtype=np.int64)
    per = split["candidatesPerUser"]
    cands = np.asarray(split["candidates"], dtype=np.int64).reshape(len(users), per)
    hr = ndcg = 0.0
    for start in range(0, len(users), 256):
        s = scorer(users[start : start + 256])
        for r, row in enumerate(s):
            c = row[cands[start + r]]
            t = c[0]
            rank = int((c > t).sum()) + (int((c == t).sum()) - 1) // 2
            if rank < 10:
                hr += 1
                ndcg += 1 / np.log2(rank + 2)
    n = len(users)
    return {"hr": hr / n, "ndcg": ndcg / n, "users": n}


def eval_holdout(split, x, scorer, k=10):
    n_users, n_items = split["userCount"], split["itemCount"]
    test = [[] for _ in range(n_users)]
    for u, i in zip(split["testUsers"], split["testItems"]):
        test[u].append(i)
    valid = [[] for _ in range(n_users)]
    for u, i in zip(split["validUsers"], split["validItems"]):
        valid[u].append(i)
    catalogue = np.asarray(split["catalogue"], dtype=bool)
    sums = dict(recall=0.0, precision=0.0, ndcg=0.0, hit=0.0, mrr=0.0)
    covered = np.zeros(n_items, dtype=bool)
    users = np.array([u for u in range(n_users) if test[u]], dtype=np.int64)
    for start in range(0, len(users), 256):
        batch = users[start : start + 256]
        s = scorer(batch).astype(np.float32).astype(np.float64)
        for r, u in enumerate(batch):
            row = s[r].copy()
            row[~catalogue] = -np.inf
            row[x[u].indices] = -np.inf
            row[valid[u]] = -np.inf
            top = np.lexsort((np.arange(n_items), -row))[:k]
            top = top[np.isfinite(row[top])]
            rel = set(test[u])
            hits = [1 if m in rel else 0 for m in top]
            dcg = sum(h / np.log2(p + 2) for p, h in enumerate(hits))
            idcg = sum(1 / np.log2(p + 2) for p in range(min(len(rel), k)))
            sums["recall"] += sum(hits) / len(rel)
            sums["precision"] += sum(hits) / k
            sums["ndcg"] += dcg / idcg
            sums["hit"] += 1 if any(hits) else 0
            first = next((p for p, h in enumerate(hits) if h), None)
            sums["mrr"] += 0 if first is None else 1 / (first + 1)
            covered[top] = True
    n = len(users)
    out = {key: val / n for key, val in sums.items()}
    out["coverage"] = covered.sum() / catalogue.sum()
    out["users"] = n
    return out


def main():
    split = json.load(open(sys.argv[1]))
    cfg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    x = binary_matrix(split)
    results = {}
    fits = {
        "popularity": lambda: toppop(x),
        "itemknn": lambda: itemknn(x, int(cfg.get("neighbours", 100)), float(cfg.get("shrink", 0))),
        "puresvd": lambda: puresvd(x, int(cfg.get("factors", 20)), int(cfg.get("seed", 1))),
        "ease": lambda: ease(x, float(cfg.get("lambda", 400))),
    }
    for name, fit in fits.items():
        t0 = time.perf_counter()
        scorer = fit()
        fit_s = time.perf_counter() - t0
        if split["protocol"] == "ncf-loo":
            m = eval_loo(split, scorer)
        else:
            m = eval_holdout(split, x, scorer)
        m["fitSeconds"] = fit_s
        results[name] = m
        print(name, json.dumps(m), file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
