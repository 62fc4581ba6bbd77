/**
 * The safetensors format (Hugging Face's, https://huggingface.co/docs/safetensors): an
 * 8-byte little-endian header length N, N bytes of JSON — each tensor's dtype, shape and
 * `data_offsets` [begin, end) relative to the byte after the header, and an optional
 * `__metadata__` of string → string — then the tensors' bytes, little-endian, row-major.
 * Wren writes and reads F32 and I32 tensors only; the header is padded with spaces so the
 * data starts 8-byte aligned, as the reference writer does.
 */
import { WrenError } from '../errors.ts';

export interface Tensor {
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** The largest header Wren reads (the reference reader's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (count(t.shape) !== t.data.length)
      throw new WrenError(
        'internal',
        `Tensor "${name}" has ${t.data.length} values for the shape [${t.shape.join(', ')}].`,
      );
    header[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Reads a safetensors file. Throws a WrenError ('invalid-data') saying what is wrong: a
 * header that is cut short or not JSON, a dtype other than F32 or I32, a shape that does not
 * match its byte range, or ranges outside the file.
 */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  const bad = (why: string): WrenError =>
    new WrenError('invalid-data', `This is not a safetensors file Wren can read (${why}).`);
  if (bytes.length < 8) throw bad('it is shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER) throw bad(`its header would be ${n} bytes long`);
  if (8 + n > bytes.length) throw bad(`its ${n}-byte header is cut short`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)),
    ) as Record<string, unknown>;
  } catch {
    throw bad('the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('the header is not a JSON object');
  const start = 8 + n;
  const size = bytes.length - start;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) throw bad('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw bad(`metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32' && e.dtype !== 'I32')
      throw new WrenError(
        'invalid-data',
        `Tensor "${name}" is ${String(e.dtype)}; Wren reads F32 and I32 tensors (in PyTorch: .float() or .int() before saving).`,
      );
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
    )
      throw bad(`tensor "${name}" has no valid shape or data_offsets`);
    const [from, to] = offsets as [number, number];
    if (to < from || to > size) throw bad(`tensor "${name}" lies outside the file`);
    if (to - from !== count(shape as number[]) * 4)
      throw bad(
        `tensor "${name}" has ${to - from} bytes for the shape [${(shape as number[]).join(', ')}]`,
      );
    const copy = bytes.slice(start + from, start + to).buffer;
    tensors[name] = {
      dtype: e.dtype,
      shape: shape as number[],
      data: e.dtype === 'F32' ? new Float32Array(copy) : new Int32Array(copy),
    };
  }
  return { tensors, metadata };
}
