// A full disk, simulated: writes to chosen files fail with ENOSPC after a byte budget. Shared by
// test/faults.test.ts (day files, rejects) and test/safety.test.ts (state files).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';

/**
 * Makes writes to files whose path matches `match` fail with ENOSPC after `budget` bytes (over all
 * of them), as a full disk does. Both ways the engine writes are covered: fs.createWriteStream
 * (instrument file, rejects) and FileHandles from fs/promises open() with 'w'/'a' (day files, spill
 * runs). syncBuiltinESMExports makes the engine's named imports see the replacements.
 */
export function fullDisk(t: TestContext, match: RegExp, budget: number): { failures: () => number } {
  const original = fs.createWriteStream;
  const originalOpen = fsp.open;
  let used = 0, failures = 0;
  const enospc = () => {
    failures++;
    return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  };
  const fake = ((path: fs.PathLike, opts?: Parameters<typeof fs.createWriteStream>[1]) => {
    const real = original(path, opts);
    if (!match.test(String(path))) return real;
    return new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (used + chunk.length > budget) return cb(enospc());
        used += chunk.length;
        real.write(chunk, cb);
      },
      final(cb) {
        real.end(cb);
      },
      destroy(err, cb) {
        real.destroy();
        cb(err);
      },
    });
  }) as typeof fs.createWriteStream;
  const fakeOpen = (async (path: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    const fh = await originalOpen(path, flags, mode);
    if (!match.test(String(path)) || (flags !== 'w' && flags !== 'a')) return fh;
    const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
    // The engine writes whole buffers (buffer, offset, length, position) or whole buffers.
    Object.defineProperty(fh, 'write', {
      value: async (buf: Uint8Array, offset?: number, length?: number, position?: number) => {
        const n = typeof length === 'number' ? length : buf.byteLength - (offset ?? 0);
        if (used + n > budget) throw enospc();
        used += n;
        return write(buf, offset, length, position);
      },
    });
    return fh;
  }) as typeof fsp.open;
  fs.createWriteStream = fake;
  fsp.open = fakeOpen;
  syncBuiltinESMExports();
  const restore = () => {
    fs.createWriteStream = original;
    fsp.open = originalOpen;
    syncBuiltinESMExports();
  };
  t.after(restore);
  return { failures: () => failures };
}
