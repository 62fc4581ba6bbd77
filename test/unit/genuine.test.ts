/** test/genuine.ts: a missing genuine file skips with a reason, or fails where CI requires the files. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { genuine } from '../genuine.ts';

const saved = process.env.WREN_REQUIRE_DATASETS;
afterEach(() => {
  if (saved === undefined) delete process.env.WREN_REQUIRE_DATASETS;
  else process.env.WREN_REQUIRE_DATASETS = saved;
  vi.restoreAllMocks();
});

describe('genuine', () => {
  it('says which file is missing and skips, unless the files are required', () => {
    delete process.env.WREN_REQUIRE_DATASETS;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(genuine('no-such-archive.zip')).toBe(false);
    expect(warn.mock.calls[0]![0]).toMatch(/no-such-archive\.zip is not in/);
    process.env.WREN_REQUIRE_DATASETS = '1';
    expect(() => genuine('no-such-archive.zip')).toThrow(/WREN_REQUIRE_DATASETS=1/);
  });
});
