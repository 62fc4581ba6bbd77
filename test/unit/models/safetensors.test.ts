/**
 * Models out and in as safetensors (docs/safetensors.md): every ranking model, trained on
 * generated data with a fixed seed, is written in Wren's layout, scored by the numpy loader
 * (scripts/wren_model.py, run by Debian's /usr/bin/python3) to the same numbers as Wren's own
 * scoring (1e-5), read back by Wren to identical scores, moved into another dataset's movie
 * order, and refused with a clear message when damaged. Needs /usr/bin/python3 with numpy
 * (Debian's python3-numpy, which python3-gensim in .ci/run brings): without it the test fails.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import { ncfLooSplit } from '../../../src/core/eval/protocols.ts';
import type { HistoryModel } from '../../../src/core/models/history-model.ts';
import { loadModel, MODELS, modelInfo } from '../../../src/core/models/index.ts';
import {
  modelFromSafetensors,
  modelToSafetensors,
} from '../../../src/core/models/model-safetensors.ts';
import { decodeSafetensors, encodeSafetensors } from '../../../src/core/models/safetensors.ts';
import type { Recommender } from '../../../src/core/models/types.ts';

const PYTHON = '/usr/bin/python3';
const LOADER = join(import.meta.dirname, '../../../scripts/wren_model.py');

const ds = generateDataset({
  ratings: 8000,
  users: 120,
  movies: 240,
  seed: 5,
  demographics: false,
});
const split = ncfLooSplit(ds.ratings, 1, { itemCount: ds.movies.length });
const movieIds = ds.movies.map((m) => m.movieId);
const userIds = ds.users.map((u) => u.userId);
/** More users than movies: EASE takes its primal form (B) here, its dual (K⁻¹) above. */
const tall = generateDataset({
  ratings: 6000,
  users: 200,
  movies: 60,
  seed: 6,
  demographics: false,
});
const tallSplit = ncfLooSplit(tall.ratings, 1, { itemCount: tall.movies.length });

const QUICK: Record<string, Record<string, number>> = {
  gmf: { epochs: 2, validate: 0 },
  mlp: { epochs: 2, validate: 0 },
  neumf: { epochs: 2, validate: 0 },
  'two-tower': { epochs: 2, validate: 0 },
  'mult-vae': { epochs: 3, hidden: 32, latent: 8, validate: 0 },
  sasrec: { epochs: 2, dim: 16, maxLen: 12, blocks: 2, negatives: 32, validate: 0 },
  gru4rec: { epochs: 2, dim: 16, maxLen: 12, negatives: 32, validate: 0 },
};

interface Case {
  name: string;
  model: Recommender;
  file: string;
  users: number[];
  /** Histories in MovieLens ids (the history models'), with Wren's indexes alongside. */
  histories: number[][];
}

const dir = mkdtempSync(join(tmpdir(), 'wren-safetensors-'));
const cases: Case[] = [];
const USERS = [0, 1, 7, 50, 119];

function idsOf(d: typeof ds): { movieIds: number[]; userIds: number[] } {
  return { movieIds: d.movies.map((m) => m.movieId), userIds: d.users.map((u) => u.userId) };
}

/** What the loader gives for each case: scores per user, then per history. */
const SCORE = `
import json, sys
sys.path.insert(0, sys.argv[1])
import wren_model
out = {}
for c in json.load(open(sys.argv[2])):
    m = wren_model.load(c["file"])
    users = [m.score_user(u).tolist() for u in c["users"]]
    hist = [m.score_history(h).tolist() for h in c["histories"]] if c["histories"] else []
    out[c["name"]] = {"users": users, "histories": hist}
json.dump(out, sys.stdout)
`;

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    worst = Math.max(worst, err);
  }
  expect(worst, `${what}: largest difference`).toBeLessThan(1e-5);
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const train = async (name: string, data: typeof split.data, d: typeof ds, label = name) => {
    const info = modelInfo(name)!;
    const model = await info.create({ ...info.defaults, ...QUICK[name] });
    await model.fit(data);
    const file = join(dir, `${label}.safetensors`);
    writeFileSync(
      file,
      modelToSafetensors(model.save(), idsOf(d), { dataset: 'synthetic', protocol: 'ncf-loo' }),
    );
    const history = info.ranksBy === 'history' || info.ranksBy === 'sequence';
    const histories = history
      ? [[3, 10, 11, 40, 41, 42].map((m) => d.movies[m]!.movieId), [d.movies[5]!.movieId], []]
      : [];
    cases.push({
      name: label,
      model,
      file,
      users: USERS.filter((u) => u < data.userCount),
      histories,
    });
  };
  for (const m of MODELS) await train(m.name, split.data, ds);
  await train('ease', tallSplit.data, tall, 'ease-primal');
}, 120_000);

describe('safetensors', () => {
  it('the numpy loader scores every ranking model as Wren does (1e-5)', () => {
    const request = join(dir, 'request.json');
    writeFileSync(
      request,
      JSON.stringify(
        cases.map(({ name, file, users, histories }) => ({ name, file, users, histories })),
      ),
    );
    const out = JSON.parse(
      execFileSync(PYTHON, ['-c', SCORE, join(import.meta.dirname, '../../../scripts'), request], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      }),
    ) as Record<string, { users: number[][]; histories: number[][] }>;
    expect(Object.keys(out).sort()).toEqual(cases.map((c) => c.name).sort());
    for (const c of cases) {
      const n = c.model.save().itemCount;
      c.users.forEach((u, j) => {
        const want = new Float32Array(n);
        c.model.score(u, null, want);
        expectClose(out[c.name]!.users[j]!, want, `${c.name} user ${u}`);
      });
      const d = c.name === 'ease-primal' ? tall : ds;
      const index = new Map(d.movies.map((m, i) => [m.movieId, i]));
      c.histories.forEach((h, j) => {
        const want = new Float32Array(n);
        (c.model as unknown as HistoryModel).scoreHistory(
          h.map((id) => index.get(id)!),
          null,
          want,
        );
        expectClose(out[c.name]!.histories[j]!, want, `${c.name} history ${j}`);
      });
    }
    // EASE in both forms, and each history model's histories, were compared.
    expect(cases.find((c) => c.name === 'ease')!.model.save().arrays.kinv).toBeDefined();
    expect(cases.find((c) => c.name === 'ease-primal')!.model.save().arrays.b).toBeDefined();
  });

  it('the loader prints a top list by MovieLens id, leaving out what the user has', () => {
    const c = cases.find((x) => x.name === 'ease')!;
    const top = JSON.parse(
      execFileSync(PYTHON, [LOADER, c.file, '--user', String(userIds[7]), '--top', '5', '--json'], {
        encoding: 'utf8',
      }),
    ) as { top: { movieId: number; score: number }[] };
    const scores = new Float32Array(ds.movies.length);
    c.model.score(7, null, scores);
    const seen = new Set(
      (c.model.save().arrays.historyItems as Int32Array).subarray(
        c.model.save().arrays.historyOffsets![7]!,
        c.model.save().arrays.historyOffsets![8]!,
      ),
    );
    const want = [...scores.keys()]
      .filter((m) => !seen.has(m))
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, 5)
      .map((m) => movieIds[m]);
    expect(top.top.map((r) => r.movieId)).toEqual(want);
  });

  it('Wren reads its own files back to the same scores, and in another dataset’s movie order', async () => {
    // The dataset it goes into lists the movies in another order, and has two more.
    const order = [...movieIds, 900001, 900002].reverse();
    for (const c of cases) {
      if (c.name === 'ease-primal') continue;
      const bytes = new Uint8Array(modelToSafetensors(c.model.save(), { movieIds, userIds }, {}));
      const same = await loadModel(modelFromSafetensors(bytes, movieIds).saved);
      const moved = modelFromSafetensors(bytes, order);
      expect(moved.missing, c.name).toBe(2);
      const other = await loadModel(moved.saved);
      const n = movieIds.length;
      for (const u of [0, 3]) {
        const want = new Float32Array(n);
        c.model.score(u, null, want);
        const got = new Float32Array(n);
        same.score(u, null, got);
        expect(got, `${c.name} read back`).toEqual(want);
        const all = new Float32Array(n + 2);
        other.score(u, null, all);
        const mine = Float32Array.from(movieIds, (id) => all[order.indexOf(id)]!);
        expectClose(mine, want, `${c.name} in another order`);
      }
    }
  });

  it('refuses a damaged or foreign file with a message saying what is wrong', () => {
    const base = cases.find((c) => c.name === 'neumf')!.model.save();
    const bytes = modelToSafetensors(base, { movieIds, userIds });
    const { tensors, metadata } = decodeSafetensors(bytes);
    const tamper = (change: (t: typeof tensors, m: Record<string, string>) => void): Uint8Array => {
      const t = structuredClone(tensors);
      const m = { ...metadata };
      change(t, m);
      return encodeSafetensors(t, m);
    };
    const refuse = (b: Uint8Array, message: RegExp): void =>
      expect(() => modelFromSafetensors(b, movieIds)).toThrow(message);
    refuse(
      tamper((t) => (t.itemGmf!.data[3] = NaN)),
      /tensor "itemGmf" holds NaN/,
    );
    refuse(
      tamper((t) => {
        t.dense0 = { dtype: 'F32', shape: [3, 1], data: new Float32Array(3) };
      }),
      /tensor "dense0" has the shape \[3, 1\]; neumf .* needs \[64, 32\]/,
    );
    refuse(
      tamper((_, m) => (m.model = 'deepfm')),
      /"deepfm" is not a Wren ranking model/,
    );
    refuse(
      tamper((_, m) => (m.config = JSON.stringify({ factors: 4 }))),
      /"userGmf" has the shape \[120, 8\]; neumf with these settings, 120 users and 240 movies needs \[120, 4\]/,
    );
    refuse(
      tamper((_, m) => (m.config = JSON.stringify({ fators: 8 }))),
      /NeuMF: there is no setting "fators"/,
    );
    refuse(
      tamper((t) => delete t.userMlp),
      /needs a tensor "userMlp", which the file does not have/,
    );
    refuse(
      tamper((_, m) => delete m.format),
      /metadata "format" is undefined, not "wren-model"/,
    );
    refuse(
      tamper((t) => (t.movieIds!.data[0] = 123456)),
      /1 movies this dataset does not have \(MovieLens ids 123456\)/,
    );
    // A float64 tensor (PyTorch's default for numpy-made weights) is named.
    const json = '{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}';
    const f64 = new Uint8Array(8 + json.length + 8);
    new DataView(f64.buffer).setBigUint64(0, BigInt(json.length), true);
    f64.set(new TextEncoder().encode(json), 8);
    refuse(f64, /Tensor "x" is F64; Wren reads F32 and I32/);
    refuse(bytes.subarray(0, 100), /header is cut short|lies outside the file/);
  });

  it('the loader says plainly what it cannot do', () => {
    const c = cases.find((x) => x.name === 'neumf')!;
    expect(() =>
      execFileSync(PYTHON, [LOADER, c.file, '--history', '1,2'], {
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/neumf scores a user row \(--user\)/);
  });
});
