// nt_check.py's QuoteTick and Bar kinds, checked on files NautilusTrader itself wrote: copies of the
// golden quotes and bars (../shared/fixtures/nautilus/128-bit) placed in a catalog's folders
// (data/quote_tick/<instrument>/, data/bar/<bar_type>/; no instrument needed) must load through
// ParquetDataCatalog.quote_ticks()/.bars(), and every object must equal its row decoded here from
// the raw little-endian bytes. Also: our bar/quote naming and checks agree with those files.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { barTypeString, checkBar, parseBarSpec } from '../../engine/sources/bars/index.js';
import { checkQuote } from '../../engine/sources/quotes/index.js';
import { readParquetBatches, readParquetInfo } from '../../engine/parquet/parquet.js';
import { GOLDEN, needShared, tempDir } from '../helpers.js';
import { needNautilus, ntLoad, type NtObject } from '../support/nautilus.js';

interface Golden { file: string; folder: string; kind: 'QuoteTick' | 'Bar'; prices: string[]; sizes: string[] }
const FILES: Golden[] = [
  { file: 'quotes.parquet', folder: 'quote_tick/EURUSD.SIM', kind: 'QuoteTick', prices: ['bid_price', 'ask_price'], sizes: ['bid_size', 'ask_size'] },
  { file: 'quotes-3-groups-filter-query.parquet', folder: 'quote_tick/BTCUSDT-PERP.BINANCE', kind: 'QuoteTick', prices: ['bid_price', 'ask_price'], sizes: ['bid_size', 'ask_size'] },
  { file: 'bars.parquet', folder: 'bar/ADABTC.BINANCE-1-MINUTE-LAST-EXTERNAL', kind: 'Bar', prices: ['open', 'high', 'low', 'close'], sizes: ['volume'] },
];
const F = 16; // 128-bit build: raw = value * 10^16

/** Little-endian two's complement (signed) or unsigned integer of the bytes. */
function le(bytes: Uint8Array, signed: boolean): bigint {
  let v = 0n;
  for (let k = bytes.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]!);
  return signed && bytes[bytes.length - 1]! >= 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** raw at scale 10^F as text with exactly `p` decimals (Price/Quantity str()). */
function text(raw: bigint, p: number): string {
  const neg = raw < 0n;
  const s = ((neg ? -raw : raw) / 10n ** BigInt(F - p)).toString().padStart(p + 1, '0');
  return (neg ? '-' : '') + (p ? `${s.slice(0, -p)}.${s.slice(-p)}` : s);
}

/** RFC 3339 with 9 fraction digits, ':' and '.' as '-': the catalog's file-name timestamp. */
const stamp = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19).replace(/:/g, '-') + '-' + String(ns % 1_000_000_000n).padStart(9, '0') + 'Z';

/** Every row of a golden file as nt_check.py prints it, decoded here, plus its schema metadata. */
async function decode(g: Golden): Promise<{ rows: Record<string, string>[]; meta: Map<string, string> }> {
  const rows: Record<string, string>[] = [];
  const path = join(GOLDEN, '128-bit', g.file);
  // The golden footer holds only ARROW:schema: the metadata is that schema's.
  const meta = (await readParquetInfo(path)).schema.metadata;
  for await (const b of readParquetBatches(path)) {
    const pp = Number(meta.get('price_precision')), sp = Number(meta.get('size_precision'));
    for (let i = 0; i < b.numRows; i++) {
      const r: Record<string, string> = { type: g.kind, instrument_id: meta.get('instrument_id')! };
      if (g.kind === 'Bar') r.bar_type = meta.get('bar_type')!;
      for (const c of g.prices) r[c] = text(le(b.getChild(c)!.get(i) as Uint8Array, true), pp);
      for (const c of g.sizes) r[c] = text(le(b.getChild(c)!.get(i) as Uint8Array, false), sp);
      for (const c of ['ts_event', 'ts_init']) r[c] = String(b.getChild(c)!.get(i));
      rows.push(r);
    }
  }
  return { rows, meta };
}

test('NautilusTrader loads the golden QuoteTick and Bar files from catalog folders; nt_check prints each row exactly', async (t) => {
  if (!needShared(t) || !needNautilus(t)) return;
  const root = await tempDir(t, 'cb-golden-kinds-');
  const want: Record<string, Record<string, string>[]> = { QuoteTick: [], Bar: [] };
  for (const g of FILES) {
    const { rows, meta } = await decode(g);
    const ts = rows.map((r) => BigInt(r.ts_init!));
    const [lo, hi] = [ts.reduce((a, b) => (b < a ? b : a)), ts.reduce((a, b) => (b > a ? b : a))];
    const dir = join(root, 'data', ...g.folder.split('/'));
    await mkdir(dir, { recursive: true });
    await copyFile(join(GOLDEN, '128-bit', g.file), join(dir, `${stamp(lo)}_${stamp(hi)}.parquet`));
    // The folder is the metadata's identifier: the instrument id without '/', or the full bar_type.
    assert.equal(g.folder.split('/')[1], g.kind === 'Bar' ? meta.get('bar_type') : meta.get('instrument_id')!.replace(/\//g, ''));
    want[g.kind]!.push(...rows);
  }
  const got = ntLoad([root]).get(root)!;
  const strip = (o: NtObject) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'catalog'));
  const order = (rs: Record<string, unknown>[]) => [...rs].sort((a, b) => (BigInt(a.ts_init as string) < BigInt(b.ts_init as string) ? -1 : 1));
  assert.deepEqual(Object.keys(got).sort(), ['Bar', 'QuoteTick']);
  assert.equal(got.QuoteTick!.length, 9500 + 15000);
  assert.equal(got.Bar!.length, 10);
  // NautilusTrader merges the two quote folders by ts_init; the rows are distinct in time.
  assert.deepEqual(order(got.QuoteTick!.map(strip)), order(want.QuoteTick!));
  assert.deepEqual(got.Bar!.map(strip), want.Bar);
  assert.deepEqual(got.Bar![0], {
    catalog: root, type: 'Bar', bar_type: 'ADABTC.BINANCE-1-MINUTE-LAST-EXTERNAL', instrument_id: 'ADABTC.BINANCE',
    open: '0.00285300', high: '0.00285400', low: '0.00285100', close: '0.00285400', volume: '3630420.00000000',
    ts_event: '1637971200000000000', ts_init: '1637971200000000000',
  });
});

test('our naming and checks agree with the golden files: bar_type text, consistent bars, quotes', async (t) => {
  if (!needShared(t)) return;
  const [quotes, btc, bars] = await Promise.all(FILES.map(decode));
  const spec = parseBarSpec('1-MINUTE-LAST');
  assert.ok(!('error' in spec));
  assert.equal(barTypeString(bars!.meta.get('instrument_id')!, spec), bars!.meta.get('bar_type'));
  assert.deepEqual(bars!.rows.map((r) => checkBar({ open: r.open!, high: r.high!, low: r.low!, close: r.close!, volume: r.volume! })), Array(10).fill(null));
  for (const q of [quotes!, btc!]) {
    const reasons = q.rows.map((r) => checkQuote({ tsEvent: 0n, tsInit: 0n, bidPrice: r.bid_price!, askPrice: r.ask_price!, bidSize: r.bid_size!, askSize: r.ask_size! })?.kind ?? 'ok');
    const counts: Record<string, number> = {};
    for (const k of reasons) counts[k] = (counts[k] ?? 0) + 1;
    assert.deepEqual(counts, { ok: q.rows.length }, q.meta.get('instrument_id'));
  }
});
