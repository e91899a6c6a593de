// What a catalog should hold, worked out from the input text alone: small parsers for each source
// format that share nothing with engine/ (decimals stay text, timestamps are BigInt), and the
// documented policies (spec sources.md §3.3/§3.4: mark rounded half-up to the instrument, mark and
// funding kept on change, trades kept once per id) applied to them.
import assert from 'node:assert/strict';

export interface TradeIn { price: string; size: string; side: number; id: string; tsEvent: bigint; tsInit: bigint }
export interface MarkIn { value: string; tsEvent: bigint; tsInit: bigint; /** the input text before rounding */ text?: string }
export interface FundingIn { rate: string; next: bigint | null; interval: bigint | null; tsEvent: bigint; tsInit: bigint }
/** One input row or message, in file order: a value for a type, or a reason it carries none. */
export type Event =
  | { type: 'trades'; row?: TradeIn; tsInit: bigint }
  | { type: 'mark'; row?: MarkIn; tsInit: bigint; keepAll?: boolean }
  | { type: 'funding'; row?: FundingIn; tsInit: bigint; keepAll?: boolean };

/** Canonical decimal text: no sign for zero, no leading/trailing zeros, no trailing point ("0.00010000" -> "0.0001"). */
export function dec(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  assert.ok(m, `not a decimal: ${text}`);
  const int = m[2]!.replace(/^0+/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return body === '0' || !m[1] ? body : `-${body}`;
}

/** Positive decimal text rounded half-up to `p` decimals, canonical. */
export function roundHalfUp(text: string, p: number): string {
  const [i, f = ''] = text.trim().split('.');
  if (f.length <= p) return dec(text);
  let n = BigInt(i! + f.slice(0, p));
  if (f.charCodeAt(p) >= 53 /* '5' */) n += 1n;
  const s = n.toString().padStart(p + 1, '0');
  return dec(p ? `${s.slice(0, -p)}.${s.slice(-p)}` : s);
}

const us = (t: string) => BigInt(t) * 1000n;
const msNs = (t: string | number) => BigInt(t) * 1_000_000n;

function csvRows(text: string, header: string | null): string[][] {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (header !== null) assert.equal(lines.shift(), header);
  return lines.map((l) => l.split(','));
}

/** Tardis `trades` CSV (µs timestamps, side buy/sell). */
export function tardisTrades(text: string): Event[] {
  return csvRows(text, 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount').map(([, , ts, local, id, side, price, amount]) => {
    const row = { price: price!, size: amount!, side: side === 'buy' ? 1 : side === 'sell' ? 2 : 0, id: id!, tsEvent: us(ts!), tsInit: us(local!) };
    return { type: 'trades', row, tsInit: row.tsInit };
  });
}

/** Tardis `derivative_ticker` CSV: a mark event and a funding event per row (none when the column is empty). */
export function tardisDerivativeTicker(text: string): Event[] {
  const out: Event[] = [];
  const header = 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price';
  for (const [, , ts, local, next, rate, , , , , mark] of csvRows(text, header)) {
    const tsEvent = us(ts!), tsInit = us(local!);
    out.push({ type: 'mark', tsInit, row: mark ? { value: mark, tsEvent, tsInit } : undefined });
    out.push({ type: 'funding', tsInit, row: rate ? { rate, next: next && next !== '0' ? us(next) : null, interval: null, tsEvent, tsInit } : undefined });
  }
  return out;
}

/** Binance Vision futures `trades` CSV without header: id,price,qty,quoteQty,time,isBuyerMaker (ms). */
export function visionTrades(text: string): Event[] {
  return csvRows(text, null).map(([id, price, qty, , time, maker]) => {
    const row = { price: price!, size: qty!, side: maker === 'true' ? 2 : 1, id: id!, tsEvent: msNs(time!), tsInit: msNs(time!) };
    return { type: 'trades', row, tsInit: row.tsInit };
  });
}

/** Binance Vision `fundingRate` (settled rates, all kept): calc_time,funding_interval_hours,last_funding_rate; next = calc_time + interval. */
export function visionFundingRate(text: string): Event[] {
  return csvRows(text, 'calc_time,funding_interval_hours,last_funding_rate').map(([time, hours, rate]) => {
    const ts = msNs(time!), interval = BigInt(hours!) * 60n;
    return { type: 'funding', keepAll: true, tsInit: ts, row: { rate: rate!, interval, next: ts + interval * 60_000_000_000n, tsEvent: ts, tsInit: ts } };
  });
}

/** Binance Vision `markPriceKlines` (every bar kept): value = close, ts = close_time. */
export function visionMarkKlines(text: string): Event[] {
  const header = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
  return csvRows(text, header).map((f) => {
    const ts = msNs(f[6]!);
    return { type: 'mark', keepAll: true, tsInit: ts, row: { value: f[4]!, tsEvent: ts, tsInit: ts } };
  });
}

/** A generic CSV with header time,price,volume,side,id (ms; side buy/sell in any case, anything else no aggressor). */
export function genericTrades(text: string): Event[] {
  return csvRows(text, 'time,price,volume,side,id').map(([time, price, volume, side, id]) => {
    const s = side!.toLowerCase(), ts = msNs(time!);
    return { type: 'trades', tsInit: ts, row: { price: price!, size: volume!, side: s === 'buy' ? 1 : s === 'sell' ? 2 : 0, id: id!, tsEvent: ts, tsInit: ts } };
  });
}

type Obj = Record<string, unknown>;

/**
 * Binance USD-M JSONL (raw payloads, combined {stream,data} envelopes, our {ts_recv,msg} wrapper):
 * `trades` from the one trade stream the run uses (`tradeEvent`), mark and funding from
 * markPriceUpdate. ts_event = T for trades, E for mark and funding; ts_init = the receive time
 * when the line has one, else ts_event. A message missing a field is an event without a row.
 */
export function binanceJsonl(text: string, symbol: string, tradeEvent: 'aggTrade' | 'trade'): Event[] {
  const out: Event[] = [];
  for (const line of text.split('\n').filter((l) => l.trim())) {
    let o = JSON.parse(line) as Obj;
    let recv: bigint | null = null;
    if ('ts_recv' in o) { recv = BigInt(o.ts_recv as string); o = o.msg as Obj; }
    const payloads = ('data' in o ? [o.data].flat() : [o]) as Obj[];
    for (const p of payloads) {
      if (String(p.s).toUpperCase() !== symbol) continue;
      if (p.e === 'aggTrade' || p.e === 'trade') {
        const id = p.e === 'aggTrade' ? p.a : p.t;
        const complete = id !== undefined && typeof p.p === 'string' && typeof p.q === 'string' && typeof p.m === 'boolean' && p.T !== undefined;
        const tsEvent = msNs(p.T as number);
        if (!complete) { if (p.e === 'aggTrade' && id === undefined) out.push({ type: 'trades', tsInit: recv ?? tsEvent }); continue; }
        if (p.e !== tradeEvent) continue;
        // Insurance-fund and ADL prints (X other than MARKET) are not market trades: no row.
        if (p.X !== undefined && p.X !== 'MARKET') { out.push({ type: 'trades', tsInit: recv ?? tsEvent }); continue; }
        out.push({ type: 'trades', tsInit: recv ?? tsEvent, row: { price: p.p as string, size: p.q as string, side: p.m ? 2 : 1, id: String(id), tsEvent, tsInit: recv ?? tsEvent } });
      } else if (p.e === 'markPriceUpdate') {
        const tsEvent = msNs(p.E as number), tsInit = recv ?? tsEvent;
        out.push({ type: 'mark', tsInit, row: { value: p.p as string, tsEvent, tsInit } });
        const funded = p.r !== '' && p.T !== 0;
        out.push({ type: 'funding', tsInit, row: funded ? { rate: p.r as string, next: msNs(p.T as number), interval: null, tsEvent, tsInit } : undefined });
      }
    }
  }
  return out;
}

/** The rows a catalog should hold for a job over [startNs, endNs), with the counts the run report should give. */
export interface Expected {
  trades: TradeIn[]; mark: MarkIn[]; funding: FundingIn[];
  /** per type: events in range, rows kept, duplicates, events without a value (skipped, or rejected for trades) */
  counts: Record<'trades' | 'mark' | 'funding', { read: number; written: number; duplicates: number; empty: number }>;
}

export function expected(events: Event[], startNs: bigint, endNs: bigint, pricePrecision: number): Expected {
  const e: Expected = { trades: [], mark: [], funding: [], counts: {
    trades: { read: 0, written: 0, duplicates: 0, empty: 0 }, mark: { read: 0, written: 0, duplicates: 0, empty: 0 }, funding: { read: 0, written: 0, duplicates: 0, empty: 0 },
  } };
  const ids = new Set<string>();
  const last: Record<string, string | undefined> = {};
  for (const ev of events) {
    if (ev.tsInit < startNs || ev.tsInit >= endNs) continue;
    const c = e.counts[ev.type];
    c.read++;
    if (!ev.row) { c.empty++; continue; }
    let key: string;
    if (ev.type === 'trades') {
      if (ids.has(ev.row.id)) { c.duplicates++; continue; }
      ids.add(ev.row.id);
      e.trades.push(ev.row);
    } else if (ev.type === 'mark') {
      const value = roundHalfUp(ev.row.value, pricePrecision);
      if ((key = value) === last.mark && !ev.keepAll) { c.duplicates++; continue; }
      last.mark = key;
      e.mark.push({ ...ev.row, value, text: ev.row.value });
    } else {
      if ((key = `${dec(ev.row.rate)}|${ev.row.next ?? ''}|${ev.row.interval ?? ''}`) === last.funding && !ev.keepAll) { c.duplicates++; continue; }
      last.funding = key;
      e.funding.push(ev.row);
    }
    c.written++;
  }
  return e;
}

/** One top-of-book quote as the input text gives it (empty text: that side has no level). */
export interface QuoteIn { bidPrice: string; bidSize: string; askPrice: string; askSize: string; tsEvent: bigint; tsInit: bigint }
/** One bar: OHLCV text, ts_event at the bar's close. */
export interface BarIn { open: string; high: string; low: string; close: string; volume: string; tsEvent: bigint; tsInit: bigint }

/** Tardis `quotes` CSV (µs): note the column order, ask amount first and bid amount last. */
export function tardisQuotes(text: string): QuoteIn[] {
  const header = 'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount';
  return csvRows(text, header).map(([, , ts, local, askSize, askPrice, bidPrice, bidSize]) => {
    assert.ok(/^\d{16}$/.test(ts!) && /^\d{16}$/.test(local!), `not µs: ${ts} ${local}`);
    return { bidPrice: bidPrice!, bidSize: bidSize!, askPrice: askPrice!, askSize: askSize!, tsEvent: us(ts!), tsInit: us(local!) };
  });
}

/** Tardis `book_snapshot_N` CSV: the quote is level 0, its columns found by their header names (µs times). */
export function tardisBookTop(text: string): QuoteIn[] {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const head = lines.shift()!.split(',');
  const col = (name: string) => {
    const i = head.indexOf(name);
    assert.ok(i >= 0, `no column ${name}`);
    return i;
  };
  const [ts, local, ap, as, bp, bs] = ['timestamp', 'local_timestamp', 'asks[0].price', 'asks[0].amount', 'bids[0].price', 'bids[0].amount'].map(col) as [number, number, number, number, number, number];
  return lines.map((l) => {
    const f = l.split(',');
    return { bidPrice: f[bp]!, bidSize: f[bs]!, askPrice: f[ap]!, askSize: f[as]!, tsEvent: us(f[ts]!), tsInit: us(f[local]!) };
  });
}

/** ISO 8601 UTC time with 0 to 9 fractional digits -> ns. */
function isoToNs(text: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  assert.ok(m, `not an ISO time: ${text}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Binance bookTicker messages of `symbol` in a JSONL capture: raw payloads, combined {stream,data}
 * envelopes, {ts_recv (ns), msg} wrappers and Tardis data-feed lines "<ISO> <json>". ts_event = T,
 * else E; ts_init = the receive time when the line has one, else ts_event. Other events are skipped.
 */
export function binanceBookTickers(text: string, symbol: string): QuoteIn[] {
  const out: QuoteIn[] = [];
  for (const raw of text.split('\n').filter((l) => l.trim())) {
    let line = raw.trim();
    let recv: bigint | null = null;
    if (/^\d/.test(line)) {
      const sp = line.indexOf(' ');
      recv = isoToNs(line.slice(0, sp));
      line = line.slice(sp + 1);
    }
    let o = JSON.parse(line) as Obj;
    if ('ts_recv' in o) { recv = BigInt(o.ts_recv as string); o = o.msg as Obj; }
    for (const p of ('data' in o ? [o.data].flat() : [o]) as Obj[]) {
      if (p.e !== 'bookTicker' || String(p.s).toUpperCase() !== symbol) continue;
      const tsEvent = msNs((p.T ?? p.E) as number);
      out.push({ bidPrice: String(p.b), bidSize: String(p.B), askPrice: String(p.a), askSize: String(p.A), tsEvent, tsInit: recv ?? tsEvent });
    }
  }
  return out;
}

/** A CSV with the header time,bid,bid_qty,ask,ask_qty; time in Unix ms, ts_init = ts_event. */
export function genericQuotes(text: string): QuoteIn[] {
  return csvRows(text, 'time,bid,bid_qty,ask,ask_qty').map(([time, bid, bidQty, ask, askQty]) => {
    const ts = msNs(time!);
    return { bidPrice: bid!, bidSize: bidQty!, askPrice: ask!, askSize: askQty!, tsEvent: ts, tsInit: ts };
  });
}

/** Binance Vision futures `bookTicker` CSV, with or without its header: ts_event = ts_init = transaction_time (ms). */
export function visionBookTicker(text: string): QuoteIn[] {
  const header = 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time';
  return csvRows(text, text.startsWith('update_id') ? header : null).map(([, bid, bidQty, ask, askQty, tx]) => {
    const ts = msNs(tx!);
    return { bidPrice: bid!, bidSize: bidQty!, askPrice: ask!, askSize: askQty!, tsEvent: ts, tsInit: ts };
  });
}

/**
 * Whether a catalog keeps a quote (README, compatibility): both sides present and numbers, sizes
 * above 0, bid not above ask (equal is kept), every value within the instrument's precisions.
 */
export function quoteKept(q: QuoteIn, pricePrecision: number, sizePrecision: number): boolean {
  const num = /^-?\d+(\.\d+)?$/;
  const values = [q.bidPrice, q.bidSize, q.askPrice, q.askSize];
  if (!values.every((v) => num.test(v))) return false;
  const places = (v: string) => dec(v).split('.')[1]?.length ?? 0;
  if (places(q.bidPrice) > pricePrecision || places(q.askPrice) > pricePrecision) return false;
  if (places(q.bidSize) > sizePrecision || places(q.askSize) > sizePrecision) return false;
  const scaled = (v: string) => {
    const [i, f = ''] = v.split('.');
    return BigInt(i! + f.padEnd(18, '0'));
  };
  if (scaled(q.bidSize) <= 0n || scaled(q.askSize) <= 0n) return false;
  if (scaled(q.bidPrice) <= 0n || scaled(q.askPrice) <= 0n) return false;
  return scaled(q.bidPrice) <= scaled(q.askPrice);
}

/**
 * Binance Vision klines (12 columns, header optional, open/close times 13-digit ms or 16-digit µs):
 * a bar closes one time unit after its close_time (…59999 ms -> the next whole minute), and
 * ts_init = ts_event.
 */
export function visionKlines(text: string): BarIn[] {
  const header = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';
  const hasHeader = text.startsWith(header);
  return csvRows(text, hasHeader ? header : null).map((f) => {
    assert.equal(f.length, 12, `a klines row has 12 cells: ${f.join(',')}`);
    const close = f[6]!;
    const unit = close.length === 13 ? 1_000_000n : close.length === 16 ? 1_000n : assert.fail(`close_time ${close} is neither ms nor µs`);
    assert.equal(f[0]!.length, close.length, 'open_time and close_time in one unit');
    const ts = (BigInt(close) + 1n) * unit;
    return { open: f[1]!, high: f[2]!, low: f[3]!, close: f[4]!, volume: f[5]!, tsEvent: ts, tsInit: ts };
  });
}
