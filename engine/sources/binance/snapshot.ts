// A Binance USD-M REST depth snapshot saved by the user (GET /fapi/v1/depth:
// {"lastUpdateId","E","T","bids":[["price","qty"],…],"asks":[…]}), or the same in a combined-stream
// envelope {"stream":"btcusdt@depthSnapshot","data":{…}} as Tardis stores it: the book a capture's
// depthUpdate diffs are synced from (binance/depth.ts).
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { BOOK_BUY, BOOK_SELL } from '../../datatypes/index.js';
import type { Normalizer } from '../../normalize/normalizer.js';
import { nsToIso } from '../../catalog/paths.js';
import { depthSync, type DepthLevel } from './depth.js';

/** A REST depth response holds at most 1000 levels a side: a file far larger is not one. */
const MAX_BYTES = 16 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DepthSnapshot {
  lastUpdateId: bigint;
  /** T (transaction time), else E, in ns: the snapshot's ts_event and ts_init (NautilusTrader's Binance adapter takes T) */
  tsNs: bigint;
  /** the symbol it names (the USD-M response names none; a Tardis envelope or a COIN-M one does) */
  symbol: string | null;
  bids: unknown[];
  asks: unknown[];
}

function whole(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  return null;
}

/** Reads and checks a snapshot file; errors name the file and the field. */
export async function loadDepthSnapshot(path: string): Promise<DepthSnapshot> {
  const name = basename(path);
  const st = await stat(path).catch((e: Error) => {
    throw new Error(`depth snapshot ${path}: ${e.message}`);
  });
  if (st.size > MAX_BYTES) throw new Error(`depth snapshot ${name} is ${st.size} bytes: a saved REST depth response is far smaller (1000 levels a side at most)`);
  let o: unknown;
  try {
    o = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`depth snapshot ${name} is not a JSON document (${(e as Error).message})`);
  }
  let streamSymbol: string | null = null;
  if (isObj(o) && 'stream' in o && isObj(o.data)) {
    streamSymbol = typeof o.stream === 'string' ? o.stream.split('@')[0]!.toUpperCase() : null;
    o = o.data;
  }
  if (!isObj(o)) throw new Error(`depth snapshot ${name} is not a JSON object`);
  const id = whole(o.lastUpdateId);
  if (id === null) throw new Error(`depth snapshot ${name}: lastUpdateId ${o.lastUpdateId === undefined ? 'is missing' : 'is not a whole number'} (expected the saved GET /fapi/v1/depth response)`);
  const ms = whole(o.T) ?? whole(o.E);
  if (ms === null) throw new Error(`depth snapshot ${name}: no time (T or E, in ms): the USD-M response carries both`);
  for (const k of ['bids', 'asks'] as const) if (!Array.isArray(o[k])) throw new Error(`depth snapshot ${name}: ${k} ${o[k] === undefined ? 'is missing' : 'is not a list of [price, quantity]'}`);
  const sym = typeof o.symbol === 'string' ? o.symbol : typeof o.s === 'string' ? o.s : streamSymbol;
  return { lastUpdateId: id, tsNs: ms * 1_000_000n, symbol: sym ? sym.toUpperCase() : null, bids: o.bids as unknown[], asks: o.asks as unknown[] };
}

/** Refuses a snapshot of another symbol than the capture's (naming both). */
export function checkSnapshotSymbol(path: string, snap: DepthSnapshot, symbol: string): void {
  if (snap.symbol && snap.symbol !== symbol.toUpperCase()) {
    throw new Error(`depth snapshot ${basename(path)} is of ${snap.symbol}, but the capture is read for ${symbol.toUpperCase()}: give the snapshot of ${symbol.toUpperCase()}`);
  }
}

/**
 * Writes a snapshot as the book's start: CLEAR + one ADD per level (binance/depth.ts flags them).
 * Each level counts as a row of the capture's file; a level that is no [price, quantity] pair of
 * strings is rejected (field bids[i] / asks[i], line 0: the snapshot file). Returns its notes.
 */
export async function readDepthSnapshot(path: string, norm: Normalizer, symbol: string): Promise<string[]> {
  const snap = await loadDepthSnapshot(path);
  checkSnapshotSymbol(path, snap, symbol);
  const sync = depthSync(norm);
  const event = sync.snapshot(snap.lastUpdateId, snap.tsNs);
  for (const [k, list] of [['bids', snap.bids], ['asks', snap.asks]] as const) {
    list.forEach((lv, i) => {
      norm.counters.rows++;
      if (!Array.isArray(lv) || typeof lv[0] !== 'string' || typeof lv[1] !== 'string') {
        return norm.rejectUnplaced(0, `${k}[${i}]`, 'expected ["price", "quantity"] as decimal strings', JSON.stringify(lv) ?? '', snap.tsNs);
      }
      const level: DepthLevel = { side: k === 'bids' ? BOOK_BUY : BOOK_SELL, price: lv[0], size: lv[1] };
      sync.snapshotLevel(0, snap.tsNs, snap.tsNs, level, event);
    });
  }
  const named = snap.symbol ? '' : ` (it names no symbol: taken as ${symbol.toUpperCase()}'s)`;
  return [`synced from the depth snapshot ${basename(path)}: lastUpdateId ${snap.lastUpdateId} at ${nsToIso(snap.tsNs)}, ${snap.bids.length} bid and ${snap.asks.length} ask level(s)${named}`];
}
