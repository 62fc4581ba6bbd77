/** Helpers for the data tests: text → bytes, chunking, zips, and where the real datasets live. */
import { genuine } from '../../genuine.ts';

import { deflateSync, zipSync, type Zippable } from 'fflate';
import { expect } from 'vitest';
import { crc32 } from '../../../src/core/data/crc32.ts';
import type { ImportInput, SourceFile } from '../../../src/core/data/sources.ts';
import { WrenError, type WrenErrorCode } from '../../../src/core/errors.ts';

export { DATASETS } from '../../genuine.ts';
/** Whether the genuine files are there (see test/genuine.ts: a skip says why; CI requires them). */
export const has = (...p: string[]): boolean => genuine(...p);

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Latin-1 bytes (every char must be below U+0100). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error(`not latin-1: ${s[i]}`);
    out[i] = c;
  }
  return out;
}

/** Streams `data` cut at the given sizes (cycled), or in pieces of one size. */
export async function* pieces(
  data: Uint8Array,
  sizes: number | number[],
): AsyncGenerator<Uint8Array> {
  const list = typeof sizes === 'number' ? [sizes] : sizes.length > 0 ? sizes : [data.length || 1];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.max(1, list[i % list.length]!);
    yield data.subarray(at, at + n);
    at += n;
  }
}

/** A SourceFile from text or bytes, cut into `sizes`. */
export function file(
  name: string,
  content: string | Uint8Array,
  sizes: number | number[] = 1 << 20,
): SourceFile {
  const data = typeof content === 'string' ? utf8(content) : content;
  return { name, size: data.length, chunks: () => pieces(data, sizes) };
}

/** A 'files' input. */
export function filesOf(
  entries: Record<string, string | Uint8Array>,
  sizes: number | number[] = 1 << 20,
): ImportInput {
  return { kind: 'files', files: Object.entries(entries).map(([n, c]) => file(n, c, sizes)) };
}

/** A 'blob' input. */
export function blobOf(
  name: string,
  data: Uint8Array,
  sizes: number | number[] = 1 << 20,
): ImportInput {
  return { kind: 'blob', name, size: data.length, chunks: () => pieces(data, sizes) };
}

/** A zip made by fflate (stored with level 0, deflated otherwise), in the given entry order. */
export function zipOf(entries: Record<string, string | Uint8Array>, level: 0 | 6 = 6): Uint8Array {
  const z: Zippable = {};
  for (const [n, c] of Object.entries(entries))
    z[n] = [typeof c === 'string' ? utf8(c) : c, { level }];
  return zipSync(z);
}

/**
 * A zip written here, entry by entry, whose entries carry a data descriptor
 * (sizes and CRC after the data, as streaming zippers write them).
 */
export function zipWithDescriptors(entries: Record<string, string | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  let count = 0;
  for (const [n, c] of Object.entries(entries)) {
    const data = typeof c === 'string' ? utf8(c) : c;
    const name = utf8(n);
    const packed = deflateSync(data);
    const crc = crc32(0, data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 8 | 0x800, true);
    local.setUint16(8, 8, true);
    local.setUint16(26, name.length, true);
    const dd = new DataView(new ArrayBuffer(16));
    dd.setUint32(0, 0x08074b50, true);
    dd.setUint32(4, crc, true);
    dd.setUint32(8, packed.length, true);
    dd.setUint32(12, data.length, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(8, 8 | 0x800, true);
    cd.setUint16(10, 8, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, packed.length, true);
    cd.setUint32(24, data.length, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(42, offset, true);
    for (const p of [new Uint8Array(local.buffer), name, packed, new Uint8Array(dd.buffer)]) {
      parts.push(p);
      offset += p.length;
    }
    central.push(new Uint8Array(cd.buffer), name);
    count++;
  }
  const cdSize = central.reduce((s, p) => s + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, count, true);
  end.setUint16(10, count, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Runs `fn` and returns the WrenError it throws (failing when it throws anything else or nothing). */
export async function wrenError(
  fn: () => Promise<unknown>,
  code?: WrenErrorCode,
): Promise<WrenError> {
  let caught: unknown = null;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a WrenError').toBeInstanceOf(WrenError);
  const e = caught as WrenError;
  if (code) expect(e.code, e.message).toBe(code);
  return e;
}

/** Reads a stream to one byte array. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const list: Uint8Array[] = [];
  for await (const c of chunks) list.push(c.slice());
  const out = new Uint8Array(list.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of list) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
