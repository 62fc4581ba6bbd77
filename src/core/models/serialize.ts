/**
 * A saved model as one byte array (for files: `wren train --save`, `wren
 * eval`): "WRNM", a little-endian uint32 header length, the JSON header
 * (model, config, sizes, extra fields, and each array's name, type, offset
 * and length), then the arrays' bytes, each 4-byte aligned.
 */
import { WrenError } from '../errors.ts';
import type { SavedModel } from './types.ts';

const MAGIC = 'WRNM';

interface Header {
  model: string;
  config: SavedModel['config'];
  userCount: number;
  itemCount: number;
  extra: Record<string, unknown>;
  arrays: { name: string; type: 'f32' | 'i32'; offset: number; length: number }[];
}

export function encodeModel(saved: SavedModel, extra: Record<string, unknown> = {}): Uint8Array {
  let offset = 0;
  const arrays: Header['arrays'] = [];
  for (const [name, a] of Object.entries(saved.arrays)) {
    arrays.push({
      name,
      type: a instanceof Float32Array ? 'f32' : 'i32',
      offset,
      length: a.length,
    });
    offset += a.length * 4;
  }
  const header: Header = {
    model: saved.model,
    config: saved.config,
    userCount: saved.userCount,
    itemCount: saved.itemCount,
    extra,
    arrays,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + json.length) / 4) * 4;
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  for (const [i, a] of Object.values(saved.arrays).entries()) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + arrays[i]!.offset);
  }
  return out;
}

export function decodeModel(bytes: Uint8Array): {
  saved: SavedModel;
  extra: Record<string, unknown>;
} {
  const bad = (why: string): WrenError =>
    new WrenError('invalid-data', `This is not a Wren model file (${why}).`);
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC)
    throw bad('no WRNM signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(4, true);
  if (8 + len > bytes.length) throw bad('the header is cut short');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as Header;
  } catch {
    throw bad('the header is not JSON');
  }
  const start = Math.ceil((8 + len) / 4) * 4;
  const arrays: SavedModel['arrays'] = {};
  for (const a of header.arrays) {
    const end = start + a.offset + a.length * 4;
    if (end > bytes.length) throw bad(`array "${a.name}" is cut short`);
    const copy = bytes.slice(start + a.offset, end).buffer;
    arrays[a.name] = a.type === 'f32' ? new Float32Array(copy) : new Int32Array(copy);
  }
  return {
    saved: {
      model: header.model,
      config: header.config,
      userCount: header.userCount,
      itemCount: header.itemCount,
      arrays,
    },
    extra: header.extra ?? {},
  };
}
