// The rejects file: one JSON line per rejected row with file, line, field, reason and value.
import { createWriteStream, type WriteStream } from 'node:fs';

export interface Reject {
  dataType: string;
  file: string;
  line: number;
  field: string;
  reason: string;
  value: string;
}

export class RejectSink {
  private out: WriteStream | null = null;
  count = 0;
  samples: Reject[] = [];
  /** the first write error (e.g. a full disk); the job reports it instead of crashing */
  error: Error | null = null;

  constructor(readonly path: string) {}

  add(r: Reject): void {
    this.count++;
    if (this.samples.length < 50) this.samples.push(r);
    if (!this.out) {
      this.out = createWriteStream(this.path, { flags: 'a' });
      this.out.on('error', (e) => (this.error ??= e));
    }
    this.out.write(JSON.stringify(r) + '\n');
  }

  close(): Promise<void> {
    const out = this.out;
    if (!out || out.destroyed) return this.error ? Promise.reject(this.error) : Promise.resolve();
    return new Promise((res, rej) => out.end((e?: Error | null) => (e || this.error ? rej(e ?? this.error) : res())));
  }
}
