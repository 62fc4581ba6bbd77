#!/usr/bin/python3
"""The gensim reference for bench/embed.ts: trains Word2Vec (skip-gram,
negative sampling) on a corpus file (one sequence per line, item indexes
separated by spaces) and writes the vectors for the TypeScript side to
evaluate with the same code as Wren's own.

Usage: gensim_ref.py CORPUS OUT_PREFIX JSON_SETTINGS (Wren's SgnsSettings, plus
"workers": gensim's threads, default 1)
Writes OUT_PREFIX.json (items, dim, seconds, tokens/s) and OUT_PREFIX.f32
(rows x dim float32, little-endian, rows in the order of "items").
Needs Debian's python3-gensim (the bench installs it); never used by the app.
"""
import json
import sys
import time

import numpy as np
from gensim.models import Word2Vec

corpus_path, out_prefix, settings_json = sys.argv[1:4]
s = json.loads(settings_json)
sentences = [line.split() for line in open(corpus_path)]
tokens = sum(len(x) for x in sentences)
t0 = time.time()
model = Word2Vec(
    sentences=sentences,
    vector_size=s["dim"],
    window=s["window"],
    negative=s["negatives"],
    sg=1,
    hs=0,
    min_count=1,
    sample=s["subsample"],
    ns_exponent=s["negativeExponent"],
    alpha=s["learningRate"],
    min_alpha=s["minLearningRate"],
    epochs=s["epochs"],
    workers=int(s.get("workers", 1)),
    seed=s["seed"],
)
seconds = time.time() - t0
keys = list(model.wv.index_to_key)
np.asarray(model.wv.vectors, dtype="<f4").tofile(out_prefix + ".f32")
import gensim

json.dump(
    {
        "items": [int(k) for k in keys],
        "dim": s["dim"],
        "seconds": seconds,
        "tokensPerSecond": tokens * s["epochs"] / seconds,
        "gensim": gensim.__version__,
        "workers": int(s.get("workers", 1)),
    },
    open(out_prefix + ".json", "w"),
)
