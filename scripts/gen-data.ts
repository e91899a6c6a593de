// Deterministic, realistic synthetic market data: Tardis trades and derivative_ticker CSVs.
// Used for the bundled sample, the tests and the benchmark. Streams, so any size fits in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';

/** Small fast PRNG (mulberry32) so the same seed gives the same bytes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeLines(path: string, gzip: boolean, produce: (push: (s: string) => Promise<void>) => Promise<void>): Promise<void> {
  const file = createWriteStream(path);
  const out: Writable = gzip ? createGzip({ level: 6 }) : file;
  if (gzip) (out as ReturnType<typeof createGzip>).pipe(file);
  let buf = '';
  const push = async (s: string) => {
    buf += s;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  await produce(push);
  out.end(buf);
  await once(file, 'close');
}

/** What every generated file takes: where, how many rows over which days, the seed, gzip, the symbol. */
interface GenOptions {
  path: string;
  rows: number;
  /** first UTC day, YYYY-MM-DD */
  start: string;
  days: number;
  seed?: number;
  gzip?: boolean;
  symbol?: string;
}

export interface TradesOptions extends GenOptions {
  startPrice?: number;
  firstId?: number;
}

/** Tardis `trades` CSV: exchange,symbol,timestamp,local_timestamp,id,side,price,amount (µs). */
export async function genTardisTrades(o: TradesOptions): Promise<void> {
  const r = rng(o.seed ?? 1);
  const t0 = Date.parse(o.start + 'T00:00:00Z') * 1000;
  const spanUs = o.days * 86_400_000_000;
  const stepUs = spanUs / o.rows;
  let priceCents = Math.round((o.startPrice ?? 42000) * 100);
  let id = o.firstId ?? 3_500_000_000;
  const sym = o.symbol ?? 'BTCUSDT';
  await writeLines(o.path, o.gzip ?? true, async (push) => {
    await push('exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n');
    let t = t0;
    let lastLocal = 0;
    for (let i = 0; i < o.rows; i++) {
      // Binance trade time is ms; several trades share one ms.
      t += stepUs * 2 * r();
      const ts = Math.floor(Math.min(t, t0 + spanUs - 1_000_000) / 1000) * 1000;
      // Tardis files are ordered by local (receive) time, and so are these.
      const local = (lastLocal = Math.max(lastLocal, ts + 5_000 + Math.floor(r() * 400_000)));
      priceCents += Math.round((r() - 0.5) * 40) * 10; // tick 0.10
      if (priceCents < 100_000) priceCents = 100_000;
      const side = r() < 0.52 ? 'buy' : 'sell';
      const amount = (1 + Math.floor(r() * r() * 3000)) / 1000;
      const price = (priceCents / 100).toFixed(2).replace(/\.?0+$/, '');
      await push(`binance-futures,${sym},${ts},${local},${id++},${side},${price},${amount}\n`);
    }
  });
}

/** Tardis `quotes` CSV: exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount (µs). */
export async function genTardisQuotes(o: TradesOptions): Promise<void> {
  const r = rng(o.seed ?? 3);
  const t0 = Date.parse(o.start + 'T00:00:00Z') * 1000;
  const spanUs = o.days * 86_400_000_000;
  const stepUs = spanUs / o.rows;
  let bidCents = Math.round((o.startPrice ?? 42000) * 100);
  const sym = o.symbol ?? 'BTCUSDT';
  const amt = () => (1 + Math.floor(r() * r() * 30000)) / 1000;
  await writeLines(o.path, o.gzip ?? true, async (push) => {
    await push('exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n');
    let t = t0;
    let lastLocal = 0;
    for (let i = 0; i < o.rows; i++) {
      t += stepUs * 2 * r();
      const ts = Math.floor(Math.min(t, t0 + spanUs - 1_000_000) / 1000) * 1000;
      const local = (lastLocal = Math.max(lastLocal, ts + 2_000 + Math.floor(r() * 50_000)));
      bidCents += Math.round((r() - 0.5) * 6) * 10; // tick 0.10, spread 1 to 3 ticks
      if (bidCents < 100_000) bidCents = 100_000;
      const askCents = bidCents + 10 * (1 + Math.floor(r() * 3));
      const px = (c: number) => (c / 100).toFixed(2).replace(/\.?0+$/, '');
      await push(`binance-futures,${sym},${ts},${local},${amt()},${px(askCents)},${px(bidCents)},${amt()}\n`);
    }
  });
}

export interface KlinesOptions {
  path: string;
  /** first UTC day, YYYY-MM-DD */
  start: string;
  days: number;
  seed?: number;
  gzip?: boolean;
}

/** Binance Vision USD-M 1-minute klines with header (open_time ms … ignore), one bar per minute. */
export async function genVisionKlines(o: KlinesOptions): Promise<void> {
  const r = rng(o.seed ?? 5);
  const t0 = Date.parse(o.start + 'T00:00:00Z');
  let close = 4_200_000; // cents
  const px = (c: number) => (c / 100).toFixed(2);
  await writeLines(o.path, o.gzip ?? false, async (push) => {
    await push('open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n');
    for (let m = 0; m < o.days * 1440; m++) {
      const open = close;
      close = Math.max(100_000, open + Math.round((r() - 0.5) * 400) * 10);
      const high = Math.max(open, close) + Math.floor(r() * 20) * 10;
      const low = Math.max(100_000, Math.min(open, close) - Math.floor(r() * 20) * 10);
      const vol = (Math.floor(r() * 500_000) / 1000).toFixed(3);
      const ot = t0 + m * 60_000;
      await push(`${ot},${px(open)},${px(high)},${px(low)},${px(close)},${vol},${ot + 59_999},0,${1 + Math.floor(r() * 900)},0,0,0\n`);
    }
  });
}

export interface TickerOptions {
  path: string;
  start: string;
  days: number;
  /** seconds between rows */
  everySec: number;
  seed?: number;
  gzip?: boolean;
  symbol?: string;
}

/** Tardis `derivative_ticker` CSV (mark price and funding, Binance style: predicted rate empty). */
export async function genTardisTicker(o: TickerOptions): Promise<void> {
  const r = rng(o.seed ?? 2);
  const t0 = Date.parse(o.start + 'T00:00:00Z');
  const sym = o.symbol ?? 'BTCUSDT';
  let mark = 42000;
  let rate = 0.0001;
  let lastLocal = 0;
  await writeLines(o.path, o.gzip ?? false, async (push) => {
    await push('exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price\n');
    for (let ms = t0; ms < t0 + o.days * 86_400_000; ms += o.everySec * 1000) {
      mark += (r() - 0.5) * 20;
      if (r() < 0.05) rate = Math.max(-0.0005, Math.min(0.0015, rate + (r() - 0.45) * 0.00002));
      const next = (Math.floor(ms / 28_800_000) + 1) * 28_800_000;
      const ts = ms * 1000 + Math.floor(r() * 1000) * 1000;
      const local = (lastLocal = Math.max(lastLocal, ts + 3_000 + Math.floor(r() * 200_000)));
      const oi = (80000 + r() * 1000).toFixed(3);
      await push(`binance-futures,${sym},${ts},${local},${next * 1000},${rate.toFixed(8)},,${oi},${mark.toFixed(1)},${(mark - 5).toFixed(8)},${mark.toFixed(8)}\n`);
    }
  });
}

export interface CaptureOptions {
  path: string;
  /** aggTrade messages; one markPrice@1s message per second of the span is added */
  trades: number;
  start: string;
  days: number;
  seed?: number;
  gzip?: boolean;
}

/** Nanoseconds as text (a 19-digit number is past what a double holds): ms and 6 more digits. */
const nsText = (ms: number, frac: number) => `${ms}${String(Math.floor(frac * 1_000_000)).padStart(6, '0')}`;

/**
 * A captured Binance USD-M WebSocket session as JSONL: combined-stream envelopes of aggTrade and
 * markPrice@1s, each wrapped with the capture's receive time ({ts_recv, msg}), in receive order.
 */
export async function genBinanceCapture(o: CaptureOptions): Promise<void> {
  const r = rng(o.seed ?? 3);
  const t0 = Date.parse(o.start + 'T00:00:00Z');
  const span = o.days * 86_400_000;
  const step = span / o.trades;
  let priceCents = 4_200_000;
  let id = 2_100_000_000;
  let nextMark = t0;
  let mark = 42000;
  // The capture's clock: receive times never go back (one connection, one clock).
  let lastRecv = 0n;
  const recvAfter = (ms: number, frac: number) => {
    let v = BigInt(nsText(ms, frac));
    if (v <= lastRecv) v = lastRecv + 1n;
    lastRecv = v;
    return String(v);
  };
  await writeLines(o.path, o.gzip ?? true, async (push) => {
    let t = t0;
    for (let i = 0; i < o.trades; i++) {
      t = Math.min(t0 + span - 1, t + step * 2 * r());
      const ms = Math.floor(t);
      while (nextMark <= ms) {
        mark += (r() - 0.5) * 20;
        const recv = recvAfter(nextMark + 2, r());
        const fund = (Math.floor(nextMark / 28_800_000) + 1) * 28_800_000;
        await push(`{"ts_recv":"${recv}","msg":{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":${nextMark},"s":"BTCUSDT","p":"${mark.toFixed(2)}","i":"${(mark - 5).toFixed(8)}","P":"${mark.toFixed(8)}","r":"0.00010000","T":${fund}}}}\n`);
        nextMark += 1000;
      }
      priceCents += Math.round((r() - 0.5) * 40) * 10;
      const qty = (1 + Math.floor(r() * r() * 3000)) / 1000;
      const recv = recvAfter(ms + 3, r());
      const first = id * 2;
      await push(`{"ts_recv":"${recv}","msg":{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":${ms + 3},"a":${id++},"s":"BTCUSDT","p":"${(priceCents / 100).toFixed(2)}","q":"${qty}","f":${first},"l":${first + 1},"T":${ms},"m":${r() < 0.5}}}}\n`);
    }
  });
}

/** `rows`: deltas, snapshots included. */
export interface BookOptions extends GenOptions {
  /** levels a side in each snapshot (default 250) */
  levels?: number;
  /** snapshots after the first one, evenly spread (a reconnection, as Tardis records it; default 1) */
  resnapshots?: number;
}

/**
 * Tardis `incremental_book_L2` CSV: exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
 * (µs). A snapshot of `levels` a side opens the file (and each reconnection); then events of 1 to 8
 * level changes sharing one timestamp, near the top, about one in five a deletion (amount 0). The
 * book never crosses: when the mid moves, the level it passes is deleted in the same event.
 */
export async function genTardisBookL2(o: BookOptions): Promise<void> {
  const r = rng(o.seed ?? 7);
  const t0 = Date.parse(o.start + 'T00:00:00Z') * 1000;
  const spanUs = o.days * 86_400_000_000;
  const levels = o.levels ?? 250;
  const sym = o.symbol ?? 'BTCUSDT';
  const resnap = o.resnapshots ?? 1;
  const snapAt = Array.from({ length: resnap }, (_, k) => Math.floor(((k + 1) * o.rows) / (resnap + 1)));
  const stepUs = (spanUs / o.rows) * 4.5; // 4.5 deltas per event on average
  let mid = 420_000; // in ticks of 0.1: best bid 42000.0
  const px = (tick: number) => (tick % 10 === 0 ? String(tick / 10) : `${Math.floor(tick / 10)}.${tick % 10}`);
  const amt = () => String((1 + Math.floor(r() * r() * 20000)) / 1000);
  await writeLines(o.path, o.gzip ?? true, async (push) => {
    await push('exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n');
    let t = t0, lastLocal = 0, i = 0;
    const row = (ts: number, local: number, snap: boolean, side: string, tick: number, amount: string) => {
      i++;
      return push(`binance-futures,${sym},${ts},${local},${snap},${side},${px(tick)},${amount}\n`);
    };
    const stamp = () => {
      t += stepUs * 2 * r();
      const ts = Math.floor(Math.min(t, t0 + spanUs - 1_000_000) / 1000) * 1000;
      return [ts, (lastLocal = Math.max(lastLocal, ts + 2_000 + Math.floor(r() * 30_000)))] as const;
    };
    const snapshot = async () => {
      const [ts, local] = stamp();
      for (let k = 0; k < levels && i < o.rows; k++) await row(ts, local, true, 'bid', mid - k, amt());
      for (let k = 0; k < levels && i < o.rows; k++) await row(ts, local, true, 'ask', mid + 1 + k, amt());
    };
    await snapshot();
    while (i < o.rows) {
      if (i >= (snapAt[0] ?? Infinity)) {
        snapAt.shift();
        await snapshot();
      }
      const [ts, local] = stamp();
      const n = Math.min(o.rows - i, 1 + Math.floor(r() * 8));
      for (let k = 0; k < n; k++) {
        const move = r();
        if (k === 0 && move < 0.05) {
          // the mid moves a tick: the level it passes goes
          if (move < 0.025) await row(ts, local, false, 'ask', ++mid, '0');
          else await row(ts, local, false, 'bid', mid--, '0');
          continue;
        }
        const bid = r() < 0.5;
        const depth = Math.floor(-Math.log(1 - r()) * 12);
        await row(ts, local, false, bid ? 'bid' : 'ask', bid ? mid - depth : mid + 1 + depth, r() < 0.2 ? '0' : amt());
      }
    }
  });
}

// CLI: node --import tsx scripts/gen-data.ts trades <path> <rows> <start> <days>
if (import.meta.url === `file://${process.argv[1]}`) {
  const [kind, path, a, b, c] = process.argv.slice(2);
  if (kind === 'trades') await genTardisTrades({ path: path!, rows: Number(a), start: b!, days: Number(c ?? 1) });
  else if (kind === 'book') await genTardisBookL2({ path: path!, rows: Number(a), start: b!, days: Number(c ?? 1) });
  else if (kind === 'ticker') await genTardisTicker({ path: path!, start: a!, days: Number(b ?? 1), everySec: Number(c ?? 60) });
  else {
    console.error('usage: gen-data.ts trades <path> <rows> <start> [days] | book <path> <rows> <start> [days] | ticker <path> <start> [days] [everySec]');
    process.exit(2);
  }
}
