// Order books for the tests, without engine/ code: a deterministic generator of Tardis
// incremental_book_L2 day files, an independent parser, NautilusTrader 1.231's Tardis load_deltas
// rules applied to the parsed rows, and a replay of the rows into price levels.
import assert from 'node:assert/strict';

export const L2_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
export const F_LAST = 128;
export const F_SNAPSHOT = 32;
export const ACTION = { ADD: 1, UPDATE: 2, DELETE: 3, CLEAR: 4 } as const;

/** One incremental_book_L2 row of the job's symbol (times in ns, values as their text). */
export interface L2Row { line: number; tsEvent: bigint; tsInit: bigint; snapshot: boolean; side: 'bid' | 'ask'; price: string; amount: string }

/** One OrderBookDelta as NautilusTrader's Tardis loader makes it (price and size as input text). */
export interface DeltaIn { line: number; action: number; side: number; price: string; size: string; flags: number; sequence: bigint; tsEvent: bigint; tsInit: bigint }

/** A small deterministic generator (LCG), so every run makes the same files. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const DAY_US = 86_400_000_000n;

export interface GenOptions {
  /** rows of another symbol mixed in (the job's reader must skip them) */
  others?: boolean;
  /** bad rows added: an update before the first snapshot, a negative amount, too many decimals, a bad side, a non-number price */
  bad?: boolean;
  seed?: number;
}

/** A generated file and, when asked for, its bad rows: line -> the field the reject must name. */
export interface GenFile { text: string; bad: Map<number, string> }

/**
 * A day of Tardis incremental_book_L2 BTCUSDT rows (prices 0.1 apart at precision 2, amounts at
 * precision 3): a snapshot sent twice at the same timestamp, events of 1 to 4 rows on both sides
 * (sets and deletions of existing levels, amount 0 written "0" or "0.000"), a second snapshot at
 * noon followed at once by a third at the next millisecond, more events, one of them ending with a
 * snapshot of its own time.
 */
export function genL2Day(day: string, o: GenOptions = {}): GenFile {
  const rand = rng(o.seed ?? 7);
  const lines = [L2_HEADER];
  const bad = new Map<number, string>();
  const book = { bid: new Map<number, string>(), ask: new Map<number, string>() };
  const base = BigInt(Date.parse(`${day}T00:00:00Z`)) * 1000n;
  const row = (sym: string, ts: bigint, snap: boolean, side: string, price: string, amount: string) =>
    lines.push(`binance-futures,${sym},${ts},${ts + 20_000n},${snap},${side},${price},${amount}`);
  const amount = () => {
    const a = `${Math.floor(rand() * 9)}.${String(1 + Math.floor(rand() * 998)).padStart(3, '0')}`;
    return rand() < 0.3 ? a.replace(/0+$/, '') : a;
  };
  // tenths of a price -> its text (sometimes one decimal, sometimes two)
  const priceText = (tenths: number) => (rand() < 0.5 ? (tenths / 10).toFixed(1) : (tenths / 10).toFixed(2));
  const bandOf = (side: 'bid' | 'ask') => (side === 'bid' ? 419_900 + Math.floor(rand() * 100) : 420_001 + Math.floor(rand() * 100));
  const snapshot = (ts: bigint, levels: number) => {
    book.bid.clear();
    book.ask.clear();
    for (const side of ['bid', 'ask'] as const) {
      while (book[side].size < levels) {
        const p = bandOf(side);
        if (!book[side].has(p)) book[side].set(p, amount());
      }
    }
    for (const side of ['bid', 'ask'] as const) for (const [p, a] of book[side]) row('BTCUSDT', ts, true, side, priceText(p), a);
  };
  const event = (ts: bigint) => {
    const n = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < n; k++) {
      const side = rand() < 0.5 ? 'bid' : 'ask';
      const levels = [...book[side].keys()];
      if (rand() < 0.3 && levels.length > 2) {
        const p = levels[Math.floor(rand() * levels.length)]!;
        book[side].delete(p);
        row('BTCUSDT', ts, false, side, priceText(p), rand() < 0.5 ? '0' : '0.000');
      } else {
        const p = rand() < 0.5 && levels.length ? levels[Math.floor(rand() * levels.length)]! : bandOf(side);
        const a = amount();
        if (/^0\.?0*$/.test(a)) continue;
        book[side].set(p, a);
        row('BTCUSDT', ts, false, side, priceText(p), a);
      }
      if (o.others && rand() < 0.2) row('ETHUSDT', ts, rand() < 0.1, rand() < 0.5 ? 'bid' : 'ask', (2200 + Math.floor(rand() * 50) / 10).toFixed(2), amount());
    }
  };
  const badRow = (field: string, ts: bigint, snap: boolean, side: string, price: string, amt: string) => {
    if (!o.bad) return;
    row('BTCUSDT', ts, snap, side, price, amt);
    bad.set(lines.length, field);
  };
  let ts = base + 1_000_000n;
  badRow('is_snapshot', ts - 1000n, false, 'bid', '41995.0', '1.000');
  snapshot(ts, 6);
  // the venue sends the same snapshot again at the same time: one CLEAR for both
  for (const l of lines.slice(-12)) lines.push(l);
  for (let i = 0; i < 40; i++) {
    ts += 137_000n;
    event(ts);
    if (i === 10) badRow('amount', ts, false, 'bid', '41991.0', '-1.000');
    if (i === 20) badRow('amount', ts, false, 'ask', '42005.0', '1.0005');
    if (i === 25) badRow('price', ts, false, 'ask', '42005.001', '1.000');
    if (i === 30) badRow('side', ts, false, 'middle', '42005.0', '1.000');
    if (i === 35) badRow('price', ts, false, 'bid', 'n/a', '1.000');
  }
  if (o.others) row('ETHUSDT', ts, true, 'bid', '2200.00', '1.000');
  ts = base + DAY_US / 2n;
  snapshot(ts, 8);
  snapshot(ts + 1000n, 5);
  ts += 1000n;
  for (let i = 0; i < 40; i++) {
    ts += 251_000n;
    event(ts);
    // a snapshot after updates of the same time: it still starts with a CLEAR, in the same event
    if (i === 20) snapshot(ts, 4);
  }
  return { text: lines.join('\n') + '\n', bad };
}

/** The job symbol's rows of an incremental_book_L2 file, leaving out the lines in `skip` (µs -> ns). */
export function parseL2(text: string, symbol: string, skip: ReadonlySet<number> | Map<number, string> = new Set()): L2Row[] {
  const lines = text.split('\n');
  assert.equal(lines[0], L2_HEADER);
  const out: L2Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (!lines[i] || skip.has(line)) continue;
    const [, sym, ts, local, snap, side, price, amount] = lines[i]!.split(',');
    if (sym !== symbol) continue;
    assert.ok(side === 'bid' || side === 'ask', `line ${line}: side ${side}`);
    out.push({ line, tsEvent: BigInt(ts!) * 1000n, tsInit: BigInt(local!) * 1000n, snapshot: snap === 'true', side, price: price!, amount: amount! });
  }
  return out;
}

const isZero = (t: string) => /^0*\.?0*$/.test(t);

/**
 * NautilusTrader's load_deltas on these rows: a CLEAR (side 0, price 0, size 0, flags F_SNAPSHOT)
 * before a snapshot row that follows an update or a row of another ts_event; amount 0 deletes,
 * else a snapshot row adds and an update updates; the last delta of each run of equal ts_event,
 * and of the file, has flags F_LAST (replacing any other), every other flags 0; sequence 0.
 */
export function ntDeltas(rows: L2Row[]): DeltaIn[] {
  const out: DeltaIn[] = [];
  let prev: L2Row | null = null;
  for (const r of rows) {
    if (r.snapshot && (!prev || !prev.snapshot || prev.tsEvent !== r.tsEvent)) {
      out.push({ line: r.line, action: ACTION.CLEAR, side: 0, price: '0', size: '0', flags: F_SNAPSHOT, sequence: 0n, tsEvent: r.tsEvent, tsInit: r.tsInit });
    }
    const action = isZero(r.amount) ? ACTION.DELETE : r.snapshot ? ACTION.ADD : ACTION.UPDATE;
    out.push({ line: r.line, action, side: r.side === 'bid' ? 1 : 2, price: r.price, size: r.amount, flags: 0, sequence: 0n, tsEvent: r.tsEvent, tsInit: r.tsInit });
    prev = r;
  }
  for (let i = 0; i < out.length; i++) if (i === out.length - 1 || out[i + 1]!.tsEvent !== out[i]!.tsEvent) out[i]!.flags = F_LAST;
  return out;
}

/** Decimal text -> its value scaled to `p` places (exact; asserts it fits). */
export function scaled(text: string, p: number): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  assert.ok(m, `not a decimal: ${text}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  assert.ok(frac.length <= p, `${text} has more than ${p} decimals`);
  const v = BigInt((m[2] || '0') + frac.padEnd(p, '0'));
  return m[1] ? -v : v;
}

/** Decimal text at exactly `p` places, as NautilusTrader prints a Price or Quantity ("1.5" -> "1.500"). */
export function fixed(text: string, p: number): string {
  return formatScaled(scaled(text, p), p);
}

function formatScaled(v: bigint, p: number): string {
  const s = (v < 0n ? -v : v).toString().padStart(p + 1, '0');
  return `${v < 0n ? '-' : ''}${p ? `${s.slice(0, -p)}.${s.slice(-p)}` : s}`;
}

/** A book's levels, best first: [price, size] at the instrument's precisions. */
export interface Levels { bids: [string, string][]; asks: [string, string][] }

/**
 * Replays the rows in order (a snapshot starting as ntDeltas' CLEAR does replaces the book, amount 0
 * deletes the level, any other amount sets it) and returns the levels at the end of each ts_event.
 */
export function replay(rows: L2Row[], p: { price: number; size: number }): Map<bigint, Levels> {
  const book = { bid: new Map<bigint, string>(), ask: new Map<bigint, string>() };
  const out = new Map<bigint, Levels>();
  const levels = (): Levels => {
    const side = (m: Map<bigint, string>, desc: boolean) => [...m.entries()].sort(([a], [b]) => (desc ? Number(b - a) : Number(a - b)))
      .map(([px, size]): [string, string] => [formatScaled(px, p.price), fixed(size, p.size)]);
    return { bids: side(book.bid, true), asks: side(book.ask, false) };
  };
  let prev: L2Row | null = null;
  for (const [i, r] of rows.entries()) {
    if (r.snapshot && (!prev || !prev.snapshot || prev.tsEvent !== r.tsEvent)) {
      book.bid.clear();
      book.ask.clear();
    }
    const px = scaled(r.price, p.price);
    if (isZero(r.amount)) book[r.side].delete(px);
    else book[r.side].set(px, r.amount);
    if (i === rows.length - 1 || rows[i + 1]!.tsEvent !== r.tsEvent) out.set(r.tsEvent, levels());
    prev = r;
  }
  return out;
}
