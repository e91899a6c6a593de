// Opens a data file as a stream of decompressed bytes; the container is found by magic bytes (spec §4.1).
import { createReadStream } from 'node:fs';
import { open as fsOpen, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import unbzip2 from 'unbzip2-stream';

export type Compression = 'none' | 'gzip' | 'bz2' | 'zip' | 'zstd';

export async function sniff(path: string): Promise<Compression> {
  const fh = await fsOpen(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 3 && b.toString('latin1', 0, 3) === 'BZh') return 'bz2';
    if (bytesRead === 4 && b.readUInt32BE(0) === 0x504b0304) return 'zip';
    if (bytesRead === 4 && b.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

export interface Opened {
  stream: Readable;
  compression: Compression;
  /** size of the file on disk */
  totalBytes: number;
  /** bytes of the file on disk consumed so far (for progress and ETA) */
  bytesRead: () => number;
  /** name of the member inside a zip */
  member?: string;
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

function openZip(path: string, count: Transform): Promise<{ stream: Readable; member: string }> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new Error(`not a readable zip archive: ${err?.message ?? 'unknown error'}`));
      const entries: yauzl.Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) entries.push(e);
        zip.readEntry();
      });
      zip.on('error', (e: Error) => reject(new Error(`zip archive is damaged: ${e.message}`)));
      zip.on('end', () => {
        // Binance Vision zips hold one CSV; prefer a .csv member if there are several.
        const entry = entries.find((e) => /\.(csv|jsonl?|txt)$/i.test(e.fileName)) ?? entries[0];
        if (!entry) return reject(new Error('zip archive holds no file'));
        zip.openReadStream(entry, (e2, s) => {
          if (e2 || !s) return reject(new Error(`cannot read ${entry.fileName} inside the zip: ${e2?.message}`));
          // yauzl reads the archive itself; count the member's compressed bytes as progress.
          let seen = 0;
          const ratio = entry.compressedSize / Math.max(1, entry.uncompressedSize);
          resolve({ stream: s.pipe(counter((n) => { seen += n; count.emit('progress', Math.round(seen * ratio)); })), member: entry.fileName });
        });
      });
      zip.readEntry();
    });
  });
}

export async function openData(path: string, opts: { start?: number } = {}): Promise<Opened> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error('not a regular file');
  const compression = await sniff(path);
  let read = 0;
  const count = counter((n) => (read += n));
  if (compression === 'zstd') throw new Error('zstd-compressed input is not supported; decompress it first (zstd -d)');
  if (compression === 'zip') {
    const z = await openZip(path, count);
    count.on('progress', (n: number) => (read = n));
    return { stream: z.stream, compression, totalBytes: st.size, bytesRead: () => read, member: z.member };
  }
  const raw = createReadStream(path, { start: opts.start, highWaterMark: 1 << 20 }).pipe(count);
  let stream: Readable = raw;
  if (compression === 'gzip') stream = raw.pipe(createGunzip({ chunkSize: 1 << 18 }));
  if (compression === 'bz2') stream = raw.pipe(unbzip2() as unknown as Transform);
  if (stream !== raw) raw.on('error', (e) => stream.destroy(e));
  return { stream, compression, totalBytes: st.size, bytesRead: () => read };
}
