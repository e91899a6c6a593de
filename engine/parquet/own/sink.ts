// Growable byte buffer and LSB-first bit packing, the building blocks of the page encodings.

export class ByteSink {
  buf: Uint8Array;
  n = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
  }

  ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    nb.set(this.buf.subarray(0, this.n));
    this.buf = nb;
  }

  byte(x: number): void {
    this.ensure(1);
    this.buf[this.n++] = x;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }

  /** Unsigned LEB128 of a 64-bit value given as BigInt (block headers only, not per row). */
  varint64(v: bigint): void {
    this.ensure(10);
    do {
      let x = Number(v & 0x7fn);
      v >>= 7n;
      if (v) x |= 0x80;
      this.buf[this.n++] = x;
    } while (v);
  }

  /** Zigzag LEB128 of a signed 64-bit value. */
  zigzag64(v: bigint): void {
    this.varint64(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  /** Little-endian `w` bytes of a value below 2^32. */
  le(v: number, w: number): void {
    this.ensure(w);
    for (let i = 0; i < w; i++) {
      this.buf[this.n++] = v & 0xff;
      v >>>= 8;
    }
  }

  take(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/**
 * Packs values LSB first, the bit order of Parquet's bit-packed runs and delta miniblocks. Values of
 * up to 32 bits at a time; wider ones go as two calls (low word first).
 */
export class BitPacker {
  private acc = 0;
  private nb = 0;

  constructor(private out: ByteSink) {}

  put(v: number, w: number): void {
    if (w === 0) return;
    this.acc = (this.acc | (v << this.nb)) >>> 0;
    const total = this.nb + w;
    if (total < 32) {
      this.nb = total;
      return;
    }
    this.out.le(this.acc, 4);
    // JS shifts count mod 32: a full word leaves nothing over.
    this.acc = this.nb === 0 ? 0 : v >>> (32 - this.nb);
    this.nb = total - 32;
  }

  /** Writes the bits still pending, padded with zeros to a whole byte. */
  flush(): void {
    const bytes = (this.nb + 7) >> 3;
    this.out.le(this.acc, bytes);
    this.acc = 0;
    this.nb = 0;
  }
}

/** Bits needed for an unsigned value below 2^32. */
export const bitsOf = (v: number): number => 32 - Math.clz32(v);
