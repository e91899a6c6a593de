// Tardis.dev's instruments metadata API (GET {endpoint}/instruments/<exchange>/<symbol>, Bearer key)
// as a definition, as NautilusTrader's Tardis adapter turns it into an instrument
// (crates/adapters/tardis/src/http/parse.rs, instruments.rs): the definition in force on the job's
// first day, from the record's `changes`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { removeQuietly } from '../catalog/atomic.js';
import { formatDecimal, parseDecimal } from '../numbers/decimal.js';
import { downloadToFile, HttpStatusError, RetriesExhausted } from '../sources/tardis/http.js';
import type { ResolvedTardisConfig } from '../sources/tardis/config.js';
import { decimalText, incrementOf, type InstrumentDef, type InstrumentKind } from './definition.js';
import { currencyPrecision, isRec, parseJsonKeepingNumbers, type Rec } from './lists/common.js';
import { instrumentIdFor, tardisMarket, type MarketKey } from './markets.js';

const KINDS: Record<string, InstrumentKind> = { spot: 'spot', perpetual: 'perpetual', future: 'future', combo: 'future' };

export class TardisInstrumentError extends Error {}

/** A JSON number of the record as its shortest decimal text (NautilusTrader reads them as f64 and prints them so); negative allowed (fees). */
function num(r: Rec, field: string, where: string): string {
  const v = r[field];
  const t = typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
  const neg = t.startsWith('-');
  const d = decimalText(neg ? t.slice(1) : t);
  if (d === null) throw new TardisInstrumentError(`${where}: ${field} is ${v === undefined ? 'missing' : `not a number (${JSON.stringify(v)})`}`);
  const text = formatDecimal(parseDecimal(d)!);
  return neg && text !== '0' ? `-${text}` : text;
}

const isoNs = (v: unknown): bigint | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? BigInt(Date.parse(v)) * 1_000_000n : null);

interface Grid { price: string; amount: string; multiplier: string | null; maker: string; taker: string }

/**
 * The values in force at `atNs`: NautilusTrader's `effective` rule. Each change holds the values
 * that applied until its time; from the newest back, every change at or after `atNs` that moves an
 * increment or the multiplier is applied (fee-only changes are skipped, as it skips them).
 */
function inForce(r: Rec, grid: Grid, atNs: bigint | undefined, where: string): Grid {
  const changes = Array.isArray(r.changes) ? (r.changes as unknown[]).filter(isRec) : [];
  if (atNs === undefined || !changes.length) return grid;
  const sorted = changes.map((c) => ({ c, until: isoNs(c.until) })).filter((x) => x.until !== null).sort((a, b) => (a.until! > b.until! ? -1 : a.until! < b.until! ? 1 : 0));
  let g = { ...grid };
  for (const { c, until } of sorted) {
    if (c.priceIncrement === undefined && c.amountIncrement === undefined && c.contractMultiplier === undefined) continue;
    if (until! < atNs) break;
    g = {
      price: c.priceIncrement !== undefined ? num(c, 'priceIncrement', where) : g.price,
      amount: c.amountIncrement !== undefined ? num(c, 'amountIncrement', where) : g.amount,
      multiplier: c.contractMultiplier !== undefined ? num(c, 'contractMultiplier', where) : g.multiplier,
      maker: c.makerFee !== undefined ? num(c, 'makerFee', where) : g.maker,
      taker: c.takerFee !== undefined ? num(c, 'takerFee', where) : g.taker,
    };
  }
  return g;
}

/** Tardis's record of one instrument as a definition of `market`, in force at `atNs` (the job's first day). */
export function definitionFromTardis(r: Rec, market: MarketKey, atNs: bigint | undefined, where: string): InstrumentDef {
  const kind = KINDS[String(r.type)];
  if (!kind) throw new TardisInstrumentError(`${where}: type ${JSON.stringify(r.type)} is not built (options are not)`);
  const raw = String(r.id ?? '').toUpperCase();
  // Deliberate difference: Tardis (and so NautilusTrader's Tardis parser) names BitMEX's bitcoin BTC;
  // we keep XBT there, as NautilusTrader's BitMEX adapter (and our BitMEX list reader and preset) do,
  // so an XBTUSD.BITMEX instrument is the same whichever source defined it.
  const code = (v: unknown) => {
    const c = String(v ?? '').toUpperCase();
    return market === 'bitmex' && c === 'BTC' ? 'XBT' : c;
  };
  const base = code(r.baseCurrency), quote = code(r.quoteCurrency);
  const inverse = kind !== 'spot' && r.inverse === true;
  const g = inForce(r, {
    price: num(r, 'priceIncrement', where), amount: num(r, 'amountIncrement', where),
    multiplier: r.contractMultiplier === undefined || r.contractMultiplier === null ? null : num(r, 'contractMultiplier', where),
    maker: num(r, 'makerFee', where), taker: num(r, 'takerFee', where),
  }, atNs, where);
  // A spot amount increment of 0 means "any": NautilusTrader takes the base currency's precision.
  const sizeIncrement = kind === 'spot' && parseDecimal(g.amount)!.digits === '' ? incrementOf(currencyPrecision(base)) : g.amount;
  const expiry = isoNs(r.expiry);
  if (kind === 'future' && expiry === null) throw new TardisInstrumentError(`${where}: a future without its expiry`);
  return {
    kind, id: instrumentIdFor(market, kind, raw), rawSymbol: raw, base, quote,
    settlement: kind === 'spot' ? quote : r.settlementCurrency ? code(r.settlementCurrency) : inverse ? base : quote, isInverse: inverse,
    priceIncrement: g.price, sizeIncrement, multiplier: g.multiplier ?? '1', lotSize: sizeIncrement,
    minQuantity: num(r, 'minTradeAmount', where), maxQuantity: null, minNotional: null, maxNotional: null, minPrice: null, maxPrice: null,
    // NautilusTrader's Tardis parser: margins 0 ("TBD"); Tardis's fees are illustrative, as Tardis says.
    marginInit: '0', marginMaint: '0', makerFee: g.maker, takerFee: g.taker,
    ...(kind === 'future' ? { activationNs: isoNs(r.listing) ?? isoNs(r.availableSince) ?? 0n, expirationNs: expiry! } : {}),
    info: r, source: `Tardis instruments API (${String(r.exchange ?? '')} ${raw})`,
  };
}

export interface TardisLookup {
  config: ResolvedTardisConfig;
  /** the job's first day (UTC), the time the definition must hold at */
  start?: string;
  signal?: AbortSignal;
}

const hostTag = (endpoint: string) => new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, '_');

/**
 * The Tardis answer for exchange/symbol: a record, null for a 404, an error for anything else.
 * An answer is kept in the Tardis cache (like the data files), so a rebuild needs no network;
 * a 404 is not kept, so a later listing is found.
 */
async function fetchRecord(t: TardisLookup, exchange: string, symbol: string): Promise<Rec | null> {
  const c = t.config;
  const url = `${c.endpoint}/instruments/${encodeURIComponent(exchange)}/${encodeURIComponent(symbol)}`;
  const cached = join(c.cacheDir, 'instruments', hostTag(c.endpoint), exchange, `${symbol}.json.gz`);
  if (!existsSync(cached)) {
    try {
      await downloadToFile(url, cached, {
        headers: { 'Accept-Encoding': 'gzip', 'User-Agent': 'catalog-builder (+tardis client)', Authorization: `Bearer ${c.apiKey}` },
        signal: t.signal ?? new AbortController().signal,
        retry: { maxAttempts: c.max_attempts, baseDelayMs: c.retry_base_ms, maxDelayMs: c.retry_max_ms, timeoutMs: c.timeout_ms },
      });
    } catch (e) {
      const status = e instanceof HttpStatusError ? e : e instanceof RetriesExhausted && e.last instanceof HttpStatusError ? e.last : null;
      if (status?.status === 404) return null;
      if (t.signal?.aborted) throw e;
      const why = status ? `HTTP ${status.status}${status.body ? ` (${status.body})` : ''}${status.status === 401 || status.status === 403 ? ': check the Tardis API key' : ''}` : (e as Error).message;
      throw new TardisInstrumentError(`Tardis's instruments API (${url}) failed: ${why}`);
    }
  }
  let json: unknown;
  try {
    json = parseJsonKeepingNumbers(gunzipSync(await readFile(cached)).toString('utf8'));
  } catch (e) {
    await removeQuietly(cached);
    throw new TardisInstrumentError(`Tardis's instruments API answered ${url} with no JSON (${(e as Error).message})`);
  }
  // One symbol: an object; some answers are an array of one.
  const rec = Array.isArray(json) ? json.find((x) => isRec(x) && String(x.id).toUpperCase() === symbol) : json;
  if (!isRec(rec)) {
    await removeQuietly(cached);
    throw new TardisInstrumentError(`Tardis's instruments API answered ${url} with no instrument ${symbol}`);
  }
  return rec;
}

/** The definition Tardis has for the job's symbol, or null when Tardis does not know it (presets then apply). */
export async function tardisDefinition(t: TardisLookup, market: MarketKey, symbol: string): Promise<InstrumentDef | null> {
  const exchange = t.config.exchange;
  const theirs = tardisMarket(exchange, symbol);
  if (theirs !== market) throw new TardisInstrumentError(`the Tardis exchange ${exchange} holds ${theirs ?? 'no market this tool maps'}, not the job's ${market}: set the job's exchange or the config's exchange so they agree`);
  const rec = await fetchRecord(t, exchange, symbol.toUpperCase());
  if (!rec) return null;
  const atNs = t.start ? BigInt(Date.parse(`${t.start}T00:00:00Z`)) * 1_000_000n : undefined;
  return definitionFromTardis(rec, market, atNs, `Tardis instrument ${exchange}/${symbol.toUpperCase()}`);
}
