// Opens a data file as a stream of decompressed bytes; the container is found by magic bytes (spec §4.1).
import { createReadStream } from 'node:fs';
import { open as fsOpen, stat } from 'node:fs/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
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
  /** decompressed size when the container says it (zip) */
  uncompressedSize?: number;
  /** decompressed bytes per compressed byte seen so far (for row estimates from the start of a file) */
  ratio: () => number;
}

/**
 * Decompression is bounded (issue 11 item 9): more than MAX_RATIO bytes out per compressed byte, once
 * past RATIO_FLOOR (32 MiB), is refused as a bomb. Market data compresses 5-20× (Tardis csv.gz, Vision zips);
 * deflate cannot exceed ~1,030×, bzip2 can reach millions.
 */
export const MAX_RATIO = 100;
export const RATIO_FLOOR = 32 << 20;

/** The bomb error when `out` decompressed bytes came from `inBytes` compressed ones, else null. */
export function bombError(out: number, inBytes: number): Error | null {
  if (out <= RATIO_FLOOR || out <= MAX_RATIO * Math.max(1, inBytes)) return null;
  const mb = (n: number) => (n < 1024 ? `${n} bytes` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n / 1048576)} MiB`);
  return new Error(`refused as a decompression bomb: ${mb(inBytes)} of compressed data expand to more than ${mb(out)} (over ${MAX_RATIO}× and ${mb(RATIO_FLOOR)}; market data compresses 5-20×)`);
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

/** Names of the files a zip archive holds (folders left out), in archive order. */
export function zipEntries(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new Error(`not a readable zip archive: ${err?.message ?? 'unknown error'}`));
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('error', (e: Error) => {
        zip.close();
        reject(new Error(`zip archive is damaged: ${e.message}`));
      });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

/** Opens one member of a zip: `member` by name, else the first .csv/.jsonl/.txt member, else the first. */
function openZip(path: string, count: Transform, member?: string): Promise<{ stream: Readable; member: string; size: number }> {
  return new Promise((resolve, reject) => {
    // autoClose would close the archive at 'end', before the member below can be opened.
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(new Error(`not a readable zip archive: ${err?.message ?? 'unknown error'}`));
      const entries: yauzl.Entry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) entries.push(e);
        zip.readEntry();
      });
      zip.on('error', (e: Error) => {
        zip.close();
        reject(new Error(`zip archive is damaged: ${e.message}`));
      });
      zip.on('end', () => {
        // Binance Vision zips hold one CSV; prefer a .csv member if there are several.
        const entry = member !== undefined ? entries.find((e) => e.fileName === member) : entries.find((e) => /\.(csv|jsonl?|txt)$/i.test(e.fileName)) ?? entries[0];
        if (!entry) {
          zip.close();
          return reject(new Error(member !== undefined ? `zip archive has no member ${member}` : 'zip archive holds no file'));
        }
        // The sizes in the archive are checked by yauzl against what the member really expands to.
        const bomb = bombError(entry.uncompressedSize, entry.compressedSize);
        if (bomb) {
          zip.close();
          return reject(new Error(`${entry.fileName} inside the zip is ${bomb.message}`));
        }
        zip.openReadStream(entry, (e2, s) => {
          zip.close(); // the file stays open until the member's stream ends
          if (e2 || !s) return reject(new Error(`cannot read ${entry.fileName} inside the zip: ${e2?.message}`));
          // yauzl reads the archive itself; count the member's compressed bytes as progress.
          let seen = 0;
          const ratio = entry.compressedSize / Math.max(1, entry.uncompressedSize);
          resolve({ stream: s.pipe(counter((n) => { seen += n; count.emit('progress', Math.round(seen * ratio)); })), member: entry.fileName, size: entry.uncompressedSize });
        });
      });
      zip.readEntry();
    });
  });
}

export async function openData(path: string, opts: { start?: number; chunk?: number; member?: string } = {}): Promise<Opened> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error('not a regular file');
  const compression = await sniff(path);
  let read = 0;
  const count = counter((n) => (read += n));
  if (compression === 'zstd') throw new Error('zstd-compressed input is not supported; decompress it first (zstd -d)');
  if (compression === 'zip') {
    const z = await openZip(path, count, opts.member);
    count.on('progress', (n: number) => (read = n));
    return { stream: z.stream, compression, totalBytes: st.size, bytesRead: () => read, member: z.member, uncompressedSize: z.size, ratio: () => z.size / Math.max(1, st.size) };
  }
  const file = createReadStream(path, { start: opts.start, highWaterMark: opts.chunk ?? 1 << 20 });
  const raw = file.pipe(count);
  // Whoever destroys the stream they hold must also close the file descriptor underneath.
  raw.on('close', () => file.destroy());
  let stream: Readable = raw;
  let consumed = () => read;
  if (compression === 'gzip') {
    const gz = createGunzip({ chunkSize: 1 << 18 });
    // Compressed bytes the decoder has taken in, for the decompression ratio.
    consumed = () => gz.bytesWritten;
    stream = raw.pipe(gz);
  }
  if (compression === 'bz2') {
    // unbzip2-stream is an old-style `through` stream (not async iterable): pipe it into a PassThrough.
    // Its errors are cryptic ("Cannot read properties of undefined"): one raised once all the input
    // is in means the data stops early. (Listening before the pipe: 'end' reaches us first.)
    let ended = false;
    raw.once('end', () => (ended = true));
    const bz = raw.pipe(unbzip2() as unknown as Transform);
    const out = new PassThrough();
    bz.on('error', (e) => out.destroy(new Error(ended ? 'compressed data is truncated (the bzip2 stream ends early)' : `compressed data is corrupt (bzip2: ${e.message})`)));
    out.on('close', () => raw.destroy());
    stream = bz.pipe(out);
  }
  let produced = 0;
  if (stream !== raw) {
    const decoded = stream;
    raw.on('error', (e) => decoded.destroy(e));
    // Destroying what the caller holds must also release the file.
    stream = decoded.pipe(counter((n) => {
      produced += n;
      const bomb = bombError(produced, consumed());
      if (bomb) stream.destroy(bomb);
    }));
    decoded.on('error', (e) => stream.destroy(e));
    stream.on('close', () => { decoded.destroy(); raw.destroy(); });
  }
  const ratio = () => (compression === 'none' ? 1 : produced / Math.max(1, consumed()));
  return { stream, compression, totalBytes: st.size, bytesRead: () => read, ratio };
}
