/** The native (DecompressionStream) and fflate inflaters agree, on good and on damaged data. */
import { crc32 as zlibCrc, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WrenError } from '../../../src/core/errors.ts';
import { ZipSource } from '../../../src/core/data/zip-central.ts';
import { entryBytes, type EntrySpan } from '../../../src/core/data/zip-inflate.ts';

/** Text that compresses like a ratings file, large enough for several reads. */
function ratingsText(rows: number): Uint8Array {
  let s = 'userId,movieId,rating,timestamp\n';
  let x = 12345;
  for (let i = 0; i < rows; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += `${(i >> 7) + 1},${x % 9000},${(x % 10) / 2 + 0.5},${964982703 + (x % 100000)}\n`;
  }
  return new TextEncoder().encode(s);
}

const plain = ratingsText(450_000);
const packed = new Uint8Array(deflateRawSync(plain));

function spanOf(
  data: Uint8Array,
  over: Partial<EntrySpan> = {},
): { src: ZipSource; span: EntrySpan } {
  const src = new ZipSource('t.zip', data.length, async (o, n) => data.slice(o, o + n), undefined);
  const span: EntrySpan = {
    name: 'ratings.csv',
    method: 8,
    crc: zlibCrc(plain) >>> 0,
    size: plain.length,
    start: 0,
    end: data.length,
    ...over,
  };
  return { src, span };
}

async function unpack(
  data: Uint8Array,
  how: 'native' | 'fflate',
  over: Partial<EntrySpan> = {},
): Promise<Uint8Array | WrenError> {
  const { src, span } = spanOf(data, over);
  const parts: Uint8Array[] = [];
  try {
    for await (const c of entryBytes(src, span, null, how)) parts.push(c);
  } catch (e) {
    return e as WrenError;
  }
  return Buffer.concat(parts);
}

describe('entry inflaters', () => {
  it('unpack several MB identically', async () => {
    expect(packed.length).toBeGreaterThan(2 * 1024 * 1024); // more than one read
    for (const how of ['native', 'fflate'] as const) {
      const out = await unpack(packed, how);
      expect(out).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(out as Uint8Array, plain)).toBe(0);
    }
  });

  it('report a wrong CRC or size as corrupt-zip, naming the entry', async () => {
    for (const how of ['native', 'fflate'] as const) {
      const badCrc = (await unpack(packed, how, { crc: 1 })) as WrenError;
      expect(badCrc.code).toBe('corrupt-zip');
      expect(badCrc.message).toMatch(/ratings\.csv/);
      const badSize = (await unpack(packed, how, { size: plain.length + 10 })) as WrenError;
      expect(badSize.code).toBe('corrupt-zip');
    }
  });

  it('report cut or flipped compressed bytes as corrupt-zip, never as data', async () => {
    const cut = packed.slice(0, packed.length - 1000);
    const flipped = packed.slice();
    for (let i = 1000; i < flipped.length; i += 99_991) flipped[i] = flipped[i]! ^ 0x5a;
    for (const data of [cut, flipped]) {
      for (const how of ['native', 'fflate'] as const) {
        const r = await unpack(data, how);
        expect(r).toBeInstanceOf(WrenError);
        expect((r as WrenError).code).toBe('corrupt-zip');
      }
    }
  });
});
