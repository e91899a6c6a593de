// The rejects file: one JSON line per rejected row with file, line, field, reason and value.
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { RejectRow } from '../../shared/api.js';
import { commitFile } from '../catalog/atomic.js';

/** One rejected row as the file holds it: the row the app's rejects view reads back (shared/api.ts). */
export type Reject = Omit<RejectRow, 'instrument'>;

export class RejectSink {
  private out: WriteStream | null = null;
  count = 0;
  samples: Reject[] = [];
  /** the first write error (e.g. a full disk); the job reports it instead of crashing */
  error: Error | null = null;

  /** written here, renamed to `path` once complete: a full disk never leaves a cut-off rejects file */
  private readonly tmp: string;

  constructor(readonly path: string) {
    this.tmp = `${path}.tmp`;
  }

  add(r: Reject): void {
    this.count++;
    if (this.samples.length < 50) this.samples.push(r);
    if (!this.out) {
      this.out = createWriteStream(this.tmp, { flags: 'a' });
      this.out.on('error', (e) => (this.error ??= e));
    }
    this.out.write(JSON.stringify(r) + '\n');
  }

  async close(): Promise<void> {
    const out = this.out;
    try {
      if (out && !out.destroyed) await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e || this.error ? rej(e ?? this.error) : res())));
      if (this.error) throw this.error;
      if (out) await commitFile(this.tmp, this.path);
    } catch (e) {
      this.error ??= e as Error;
      await rm(this.tmp, { force: true });
      throw e;
    }
  }
}
