// Thrift compact protocol, as Parquet footers and page indexes use it: decoded into a generic tree
// (field ids and types kept) and encoded back, so a footer can be edited field by field and written
// again. Integers of type i64 are BigInt; i8/i16/i32 are numbers.

import { ByteSink } from './own/sink.js';

export const T_TRUE = 1, T_FALSE = 2, T_I8 = 3, T_I16 = 4, T_I32 = 5, T_I64 = 6, T_DOUBLE = 7, T_BINARY = 8, T_LIST = 9, T_SET = 10, T_MAP = 11, T_STRUCT = 12;

export type TValue = boolean | number | bigint | Uint8Array | TList | TStruct;

export interface TField {
  id: number;
  type: number;
  value: TValue;
}

export class TStruct {
  constructor(public fields: TField[] = []) {}

  get(id: number): TValue | undefined {
    return this.fields.find((f) => f.id === id)?.value;
  }

  /** Sets (or adds, keeping ids in order) a field. */
  set(id: number, type: number, value: TValue): void {
    const f = this.fields.find((x) => x.id === id);
    if (f) {
      f.type = type;
      f.value = value;
      return;
    }
    this.fields.push({ id, type, value });
    this.fields.sort((a, b) => a.id - b.id);
  }

  delete(id: number): void {
    this.fields = this.fields.filter((f) => f.id !== id);
  }

  struct(id: number): TStruct | undefined {
    const v = this.get(id);
    return v instanceof TStruct ? v : undefined;
  }

  list(id: number): TList | undefined {
    const v = this.get(id);
    return v instanceof TList ? v : undefined;
  }

  i64(id: number): bigint | undefined {
    const v = this.get(id);
    return typeof v === 'bigint' ? v : undefined;
  }
}

export class TList {
  constructor(public elemType: number, public items: TValue[] = [], public set = false) {}
}

export class ThriftReader {
  pos = 0;
  constructor(private b: Uint8Array) {}

  private byte(): number {
    if (this.pos >= this.b.length) throw new Error('thrift: unexpected end of data');
    return this.b[this.pos++]!;
  }

  private varint(): bigint {
    let r = 0n, shift = 0n;
    for (;;) {
      const x = this.byte();
      r |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80)) return r;
      shift += 7n;
      if (shift > 70n) throw new Error('thrift: varint too long');
    }
  }

  private zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }

  private value(type: number): TValue {
    switch (type) {
      case T_I8: return (this.byte() << 24) >> 24;
      case T_I16:
      case T_I32: return Number(this.zigzag());
      case T_I64: return this.zigzag();
      case T_DOUBLE: {
        if (this.pos + 8 > this.b.length) throw new Error('thrift: unexpected end of data');
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T_BINARY: {
        const len = Number(this.varint());
        if (this.pos + len > this.b.length) throw new Error('thrift: unexpected end of data');
        // A copy, never a view (Buffer#slice is one): a view would keep the whole input buffer alive.
        const v = Uint8Array.prototype.slice.call(this.b, this.pos, this.pos + len);
        this.pos += len;
        return v;
      }
      case T_LIST:
      case T_SET: {
        const h = this.byte();
        let size = h >> 4;
        const elemType = h & 0x0f;
        if (size === 15) size = Number(this.varint());
        const items: TValue[] = [];
        // Booleans inside a list are one byte each (1 true, 2 false).
        for (let i = 0; i < size; i++) items.push(elemType === T_TRUE || elemType === T_FALSE ? this.byte() === 1 : this.value(elemType));
        return new TList(elemType, items, type === T_SET);
      }
      case T_STRUCT: return this.struct();
      default: throw new Error(`thrift: unsupported type ${type}`);
    }
  }

  struct(): TStruct {
    const fields: TField[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return new TStruct(fields);
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta ? last + delta : Number(this.zigzag());
      last = id;
      const value = type === T_TRUE || type === T_FALSE ? type === T_TRUE : this.value(type);
      fields.push({ id, type: type === T_FALSE ? T_TRUE : type, value });
    }
  }
}

export class ThriftWriter {
  // The own writer's byte sink: one growable buffer and one LEB128/zigzag for both.
  private out = new ByteSink(4096);

  private byte(x: number): void {
    this.out.byte(x);
  }

  private varint(v: bigint): void {
    this.out.varint64(v);
  }

  private zigzag(v: bigint): void {
    this.out.zigzag64(v);
  }

  private value(type: number, v: TValue): void {
    switch (type) {
      case T_I8: this.byte((v as number) & 0xff); return;
      case T_I16:
      case T_I32: this.zigzag(BigInt(v as number)); return;
      case T_I64: this.zigzag(v as bigint); return;
      case T_DOUBLE: {
        this.out.ensure(8);
        new DataView(this.out.buf.buffer, this.out.n, 8).setFloat64(0, v as number, true);
        this.out.n += 8;
        return;
      }
      case T_BINARY: {
        const b = v as Uint8Array;
        this.varint(BigInt(b.length));
        this.out.bytes(b);
        return;
      }
      case T_LIST:
      case T_SET: {
        const l = v as TList;
        const size = l.items.length;
        if (size < 15) this.byte((size << 4) | l.elemType);
        else {
          this.byte(0xf0 | l.elemType);
          this.varint(BigInt(size));
        }
        for (const it of l.items) {
          if (l.elemType === T_TRUE || l.elemType === T_FALSE) this.byte(it ? 1 : 2);
          else this.value(l.elemType, it);
        }
        return;
      }
      case T_STRUCT: this.struct(v as TStruct); return;
      default: throw new Error(`thrift: unsupported type ${type}`);
    }
  }

  struct(s: TStruct): this {
    let last = 0;
    for (const f of s.fields) {
      const type = f.type === T_TRUE || f.type === T_FALSE ? (f.value ? T_TRUE : T_FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      if (type !== T_TRUE && type !== T_FALSE) this.value(type, f.value);
    }
    this.byte(0);
    return this;
  }

  bytes(): Uint8Array {
    return this.out.take();
  }
}

export function decodeStruct(b: Uint8Array): TStruct {
  return new ThriftReader(b).struct();
}

export function encodeStruct(s: TStruct): Uint8Array {
  return new ThriftWriter().struct(s).bytes();
}
