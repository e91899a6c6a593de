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

  constructor(readonly path: string) {}

  add(r: Reject): void {
    this.count++;
    if (this.samples.length < 50) this.samples.push(r);
    this.out ??= createWriteStream(this.path, { flags: 'a' });
    this.out.write(JSON.stringify(r) + '\n');
  }

  close(): Promise<void> {
    const out = this.out;
    if (!out) return Promise.resolve();
    return new Promise((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  }
}
