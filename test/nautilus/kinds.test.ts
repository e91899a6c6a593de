// NautilusTrader 1.231 judges the three instrument kinds: an inverse perpetual (BitMEX XBTUSD), a
// dated future (Binance USD-M BTCUSDT_240329), a spot pair (Binance BTCUSDT) and an inverse dated
// future of 100 USD contracts (OKX BTC-USD-240329), each built by runBuild from a Tardis-style
// trades CSV and an instrument entry, into one catalog. Its ParquetDataCatalog loads each as its
// class with the entry's fields and every trade as written (nt_check.py); one BacktestNode run makes
// a round trip on each (nt_kinds.py), and the realised PnL of the inverse ones equals
// Q × multiplier × (1/E − 1/X) in the settlement currency, worked out here exactly.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JobSpecInput } from '../../shared/job.js';
import { runBuild } from '../../engine/jobs/build.js';
import { presetTable } from '../../engine/instruments/presets.js';
import type { MarketKey } from '../../shared/markets.js';
import { ROOT } from '../helpers.js';
import { needNautilus, ntLoad, runPython, type NtObject } from '../support/nautilus.js';
import { dec, tardisTrades, type TradeIn } from './inputs.js';

const DAY = '2024-01-02';
const T0_US = BigInt(Date.parse(`${DAY}T00:00:00Z`)) * 1000n;
const DAY_NS = T0_US * 1000n;
const isoNs = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);

interface Kind {
  cls: 'CryptoPerpetual' | 'CryptoFuture' | 'CurrencyPair';
  /** NautilusTrader's instrument_class */
  ntClass: string;
  exchange: string;
  /** the exchange column of Tardis's CSV */
  tardis: string;
  symbol: string;
  id: string;
  instrument: NonNullable<JobSpecInput['instrument']>;
  /** price, size, side of each trade, a minute apart */
  trades: [string, string, 'buy' | 'sell'][];
  /**
   * The round trip: a market buy of `qty` on trade `buyOn`, a market sell of it on trade `sellOn`.
   * NautilusTrader's simulated book holds a trade's size at its price (one side as much as the
   * trade): a larger order fills the rest a tick worse, so `qty` is at most those trades' sizes.
   */
  qty: string;
  buyOn: number;
  sellOn: number;
}

const KINDS: Kind[] = [
  {
    // What NautilusTrader's BitMEX adapter (crates/adapters/bitmex/src/http/parse.rs,
    // parse_perpetual_instrument) builds from the venue's XBTUSD record (its test_data
    // http_get_instrument_xbtusd.json): base XBT (underlying), quote USD, settlement XBT (settlCurrency
    // "XBt" upper-cased), inverse, tick 0.1, size increment 1 (one contract), lot and min quantity 100,
    // max quantity 10,000,000, max price 1,000,000, margins 0.01/0.005. Two differences: fees 0 here
    // (a clean formula), and multiplier 1 where the adapter writes |multiplier| = 100,000,000
    // (BitMEX's XBt-per-XBT scale): with that, NautilusTrader's inverse PnL comes out 10^8 times too
    // large (a 1,200 USD round trip of +2.4% "earns" thousands of XBT). One contract is 1 USD.
    cls: 'CryptoPerpetual', ntClass: 'SWAP', exchange: 'bitmex', tardis: 'bitmex', symbol: 'XBTUSD', id: 'XBTUSD.BITMEX',
    instrument: {
      kind: 'perpetual', base: 'XBT', quote: 'USD', settlement: 'XBT', is_inverse: true, price_increment: '0.1', size_increment: '1',
      multiplier: '1', lot_size: '100', min_quantity: '100', max_quantity: '10000000', max_price: '1000000',
      margin_init: '0.01', margin_maint: '0.005', maker_fee: '0', taker_fee: '0',
    },
    trades: [['42000.5', '100', 'buy'], ['42010', '2500', 'sell'], ['42100.5', '300', 'buy'], ['43010.5', '1200', 'sell'], ['43000', '100', 'buy'], ['42990.1', '700', 'sell']],
    qty: '1200', buyOn: 1, sellOn: 3,
  },
  {
    // As NautilusTrader's Binance futures provider builds a delivery contract: onboardDate and
    // deliveryDate as activation and expiry, margins 1/1 ("ignore API values"), lot size not set.
    cls: 'CryptoFuture', ntClass: 'FUTURE', exchange: 'binance-usdm', tardis: 'binance-futures', symbol: 'BTCUSDT_240329', id: 'BTCUSDT_240329.BINANCE',
    instrument: {
      kind: 'future', base: 'BTC', quote: 'USDT', settlement: 'USDT', is_inverse: false, price_increment: '0.1', size_increment: '0.001',
      multiplier: '1', min_quantity: '0.001', max_quantity: '500', min_notional: '5 USDT', margin_init: '1', margin_maint: '1',
      maker_fee: '0', taker_fee: '0', activation: '2023-09-29T08:00:00Z', expiration: '2024-03-29T08:00:00Z',
    },
    trades: [['43000.1', '0.015', 'buy'], ['43050', '1.250', 'sell'], ['43100.2', '0.005', 'buy'], ['43500', '0.020', 'sell'], ['43510', '0.005', 'buy'], ['43520.3', '1.250', 'sell']],
    qty: '0.012', buyOn: 0, sellOn: 3,
  },
  {
    // As NautilusTrader's Binance spot provider builds a pair: lot size = the LOT_SIZE stepSize.
    cls: 'CurrencyPair', ntClass: 'SPOT', exchange: 'binance-spot', tardis: 'binance', symbol: 'BTCUSDT', id: 'BTCUSDT.BINANCE',
    instrument: {
      kind: 'spot', base: 'BTC', quote: 'USDT', price_increment: '0.01', size_increment: '0.00001', lot_size: '0.00001',
      min_quantity: '0.00001', max_quantity: '9000', min_notional: '5 USDT', margin_init: '1', margin_maint: '1', maker_fee: '0', taker_fee: '0',
    },
    trades: [['42000.01', '0.00010', 'buy'], ['42001.5', '0.25000', 'sell'], ['42100', '0.00300', 'buy'], ['42200.99', '0.25000', 'sell'], ['42300', '0.0025', 'buy'], ['42310.2', '0.25', 'sell']],
    qty: '0.00250', buyOn: 2, sellOn: 4,
  },
  {
    // An inverse dated future whose contract is not 1: OKX BTC-USD-240329, as NautilusTrader's OKX
    // adapter (crates/adapters/okx/src/common/parse.rs, parse_futures_instrument) builds one from the
    // venue's record (test_data http_get_instruments_futures.json, BTC-USD-24xxxx): multiplier
    // ctVal × ctMult = 100 (USD a contract), size increment and lot lotSz 1, min minSz 1, max
    // maxMktSz 10000, tick 0.1, settlement BTC. (The adapter's underlying is the code "BTC-USD",
    // from uly; an entry's currencies are codes such as BTC.) This round trip loses.
    cls: 'CryptoFuture', ntClass: 'FUTURE', exchange: 'okx-futures', tardis: 'okex-futures', symbol: 'BTC-USD-240329', id: 'BTC-USD-240329.OKX',
    instrument: {
      kind: 'future', base: 'BTC', quote: 'USD', settlement: 'BTC', is_inverse: true, price_increment: '0.1', size_increment: '1', multiplier: '100',
      lot_size: '1', min_quantity: '1', max_quantity: '10000', margin_init: '0.1', margin_maint: '0.05', maker_fee: '0', taker_fee: '0',
      activation: '2023-09-15T08:00:00Z', expiration: '2024-03-29T08:00:00Z',
    },
    trades: [['42500.3', '40', 'buy'], ['42000.3', '35', 'buy'], ['41800', '2', 'sell'], ['41900.5', '1', 'buy'], ['41500.7', '60', 'sell'], ['41510', '3', 'buy']],
    qty: '35', buyOn: 1, sellOn: 4,
  },
];

/** A Tardis `trades` CSV of the kind's trades, a minute apart (a few µs between the instruments), received 1.5 ms later. */
function tardisCsv(k: Kind, offsetUs: bigint): string {
  const rows = k.trades.map(([price, size, side], i) => {
    const ts = T0_US + BigInt(i) * 60_000_000n + offsetUs;
    return `${k.tardis},${k.symbol},${ts},${ts + 1500n},${k.symbol.toLowerCase()}-${i},${side},${price},${size}`;
  });
  return ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount', ...rows].join('\n') + '\n';
}

let built: Promise<{ catalog: string; csv: Map<string, string> }> | undefined;
let root: string | undefined;
after(() => (root ? rm(root, { recursive: true, force: true }) : undefined));

/** The one catalog holding the three instruments (built once, by three jobs). */
function catalog(): Promise<{ catalog: string; csv: Map<string, string> }> {
  built ??= (async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-nt-kinds-'));
    const out = join(root, 'catalog');
    const csv = new Map<string, string>();
    for (const [i, k] of KINDS.entries()) {
      const dir = join(root, k.symbol);
      await mkdir(dir);
      csv.set(k.id, tardisCsv(k, BigInt(i) * 7n));
      await writeFile(join(dir, 'trades.csv'), csv.get(k.id)!);
      const report = await runBuild({
        source: 'csv', exchange: k.exchange, symbol: k.symbol, instrument: k.instrument, start: DAY, end: DAY, output: out, dataTypes: ['trades'],
        config: { base_path: '.', files: { trades: { file_path: 'trades.csv' } } }, configDir: dir,
      });
      assert.equal(report.ok, true, `${k.id}: ${report.errors.join('\n')}`);
      assert.deepEqual([report.instrument.id, report.instrument.className], [k.id, k.cls]);
    }
    return { catalog: out, csv };
  })();
  return built;
}

/** Decimal text as the fraction n / d (d a power of ten). */
function frac(text: string): [bigint, bigint] {
  const [i, f = ''] = dec(text).replace('-', '').split('.');
  const n = BigInt(i! + f);
  return [text.trim().startsWith('-') ? -n : n, 10n ** BigInt(f.length)];
}

/** n / d (d > 0) rounded half away from zero to p decimals, as text with p decimals: what a Money of that precision shows. */
function toFixed(n: bigint, d: bigint, p: number): string {
  if (n < 0n) return `-${toFixed(-n, d, p)}`;
  const s = ((n * 10n ** BigInt(p) * 2n + d) / (2n * d)).toString().padStart(p + 1, '0');
  return p ? `${s.slice(0, -p)}.${s.slice(-p)}` : s;
}

/** Q × (X − E) for a linear instrument of multiplier 1, exact, at p decimals. */
function linearPnl(q: string, e: string, x: string, p: number): string {
  const [qn, qd] = frac(q), [en, ed] = frac(e), [xn, xd] = frac(x);
  return toFixed(qn * (xn * ed - en * xd), qd * ed * xd, p);
}

/** Q × M × (1/E − 1/X) for an inverse contract, exact, at p decimals. */
function inversePnl(q: string, m: string, e: string, x: string, p: number): string {
  const [qn, qd] = frac(q), [mn, md] = frac(m), [en, ed] = frac(e), [xn, xd] = frac(x);
  // 1/E − 1/X = ed/en − xd/xn = (ed·xn − xd·en) / (en·xn)
  return toFixed(qn * mn * (ed * xn - xd * en), qd * md * en * xn, p);
}

/** A whole starting balance plus an amount, at 8 decimals. */
function plus(whole: bigint, amount: string): string {
  const [n, d] = frac(amount);
  return toFixed(whole * d + n, d, 8);
}

const tradeTuple = (r: TradeIn) => [dec(r.price), dec(r.size), r.side, r.id, String(r.tsEvent), String(r.tsInit)];
const places = (t: string) => t.split('.')[1]?.length ?? 0;

function checkInstrument(k: Kind, inst: NtObject): void {
  const e = k.instrument;
  const pp = places(e.price_increment!), sp = places(e.size_increment!);
  const nt = inst.nt as { instrument_class: string; is_inverse: boolean; settlement: { code: string; precision: number; type: string }; base: { code: string; precision: number } | null;
    expiration_utc: string | null; activation_utc: string | null };
  assert.deepEqual([inst.type, inst.raw_symbol, inst.is_inverse ?? false, inst.price_precision, inst.size_precision], [k.cls, k.symbol, e.is_inverse ?? false, pp, sp]);
  assert.deepEqual([inst.price_increment, inst.size_increment, inst.multiplier], [e.price_increment, e.size_increment, e.multiplier ?? '1']);
  assert.deepEqual([inst.base_currency ?? inst.underlying, inst.quote_currency], [e.base, e.quote]);
  if (k.cls !== 'CurrencyPair') assert.equal(inst.settlement_currency, e.settlement);
  for (const f of ['lot_size', 'min_quantity', 'max_quantity', 'max_price', 'margin_init', 'margin_maint', 'maker_fee', 'taker_fee'] as const) {
    // An entry replaces the preset's field (a bundled preset of the market, if there is one); the rest stays the preset's.
    const preset = presetTable()[k.exchange as MarketKey]?.[k.symbol] as Record<string, string | undefined> | undefined;
    const want = e[f] ?? preset?.[f] ?? (f === 'lot_size' ? '1' : null);
    assert.equal(inst[f] === null ? null : dec(inst[f] as string), want === null ? null : dec(want), `${k.id} ${f}`);
  }
  // Money: NautilusTrader shows the currency's precision ("5.00000000 USDT").
  const presetNotional = (presetTable()[k.exchange as MarketKey]?.[k.symbol]?.min_notional ?? null);
  assert.equal(inst.min_notional === null ? null : (inst.min_notional as string).replace(/^(\d+(?:\.\d*)?)/, (m) => dec(m)),
    e.min_notional ?? (presetNotional === null ? null : presetNotional.replace(/^(\d+(?:\.\d*)?)/, (m) => dec(m))));
  // NautilusTrader's own reading: the contract class, and what PnL is paid in.
  assert.equal(nt.instrument_class, k.ntClass);
  assert.equal(nt.is_inverse, e.is_inverse ?? false);
  assert.equal(nt.settlement.code, e.settlement ?? e.quote);
  if (k.cls === 'CryptoFuture') {
    assert.deepEqual([inst.activation_ns, inst.expiration_ns], [isoNs(e.activation!), isoNs(e.expiration!)]);
    // pandas' Timestamp text: "2024-03-29 08:00:00+00:00"
    const utc = (iso: string) => new Date(iso).toISOString().replace('T', ' ').replace('.000Z', '+00:00');
    assert.deepEqual([nt.activation_utc, nt.expiration_utc], [utc(e.activation!), utc(e.expiration!)]);
  } else {
    assert.equal(nt.expiration_utc, null);
  }
  assert.deepEqual([inst.ts_event, inst.ts_init], [String(DAY_NS), String(DAY_NS)]);
}

test('NautilusTrader loads each kind from one catalog: CryptoPerpetual (inverse, XBT), CryptoFuture, CurrencyPair, and every trade as written', async (t) => {
  if (!needNautilus(t)) return;
  const { catalog: out, csv } = await catalog();
  const nt = ntLoad([out]).get(out)!;
  for (const cls of ['CryptoPerpetual', 'CryptoFuture', 'CurrencyPair']) assert.deepEqual(nt[cls]?.map((o) => o.id).sort(), KINDS.filter((k) => k.cls === cls).map((k) => k.id).sort(), cls);
  for (const k of KINDS) {
    checkInstrument(k, nt[k.cls]!.find((o) => o.id === k.id)!);
    const ticks = (nt.TradeTick ?? []).filter((o) => o.instrument_id === k.id);
    // Each price and size at the instrument's precision, equal to the input row.
    const pp = places(k.instrument.price_increment!), sp = places(k.instrument.size_increment!);
    for (const o of ticks) assert.deepEqual([places(o.price as string), places(o.size as string)], [pp, sp], `${k.id} ${o.trade_id}`);
    const got = ticks.map((o) => [dec(o.price as string), dec(o.size as string), o.aggressor_side, o.trade_id, o.ts_event, o.ts_init]);
    const want = tardisTrades(csv.get(k.id)!).map((ev) => tradeTuple(ev.row as TradeIn));
    assert.equal(want.length, k.trades.length);
    assert.deepEqual(got, want, `${k.id}: the trades NautilusTrader loaded`);
  }
  // XBT is in NautilusTrader's currency table: precision 8, a crypto (not a made-up code).
  const xbt = (nt.CryptoPerpetual![0]!.nt as { settlement: unknown }).settlement;
  assert.deepEqual(xbt, { code: 'XBT', precision: 8, type: 'CRYPTO', name: 'Bitcoin' });
});

interface KindsOut {
  iterations: number;
  trades: Record<string, number>;
  fills: Record<string, { price: string; qty: string; side: number; commission: string }[]>;
  refused: string[];
  positions: { instrument_id: string; realized_pnl: string; commissions: string[]; is_closed: boolean; peak_qty: string }[];
  balances: Record<string, string[]>;
}

const NT_KINDS = join(ROOT, 'test', 'nautilus', 'nt_kinds.py');
const runKinds = (out: string, plan: unknown) => JSON.parse(runPython([NT_KINDS, out, JSON.stringify(plan)])) as KindsOut;
const legOf = (k: Kind) => ({ instrument_id: k.id, qty: k.qty, buy_on: k.buyOn, sell_on: k.sellOn });

/** Two fills per round trip, at the prices of the trades the orders went in on, and the closed position's PnL. */
function roundTrip(out: KindsOut, k: Kind): string {
  const [e, x] = [k.trades[k.buyOn]![0], k.trades[k.sellOn]![0]];
  const fills = out.fills[k.id]!;
  assert.deepEqual(fills.map((f) => [f.side, dec(f.price), dec(f.qty)]), [[1, dec(e), dec(k.qty)], [2, dec(x), dec(k.qty)]], `${k.id} fills`);
  const pos = out.positions.filter((p) => p.instrument_id === k.id);
  assert.equal(pos.length, 1, `${k.id}: one position`);
  assert.equal(pos[0]!.is_closed, true);
  // Fees are 0 in the entries: the realised PnL is the price move alone.
  for (const c of [...pos[0]!.commissions, ...fills.map((f) => f.commission)]) assert.match(c, /^0\.0+ [A-Z]+$/);
  return pos[0]!.realized_pnl;
}

test('BacktestNode over the kinds: a round trip fills on each, the inverse PnL (XBT, BTC) is Q × multiplier × (1/E − 1/X)', async (t) => {
  if (!needNautilus(t)) return;
  const { catalog: out } = await catalog();
  // NautilusTrader names Binance spot and USD-M instruments on one venue, BINANCE, and refuses a
  // CryptoFuture at a CASH venue: both trade on one MARGIN account there. No base currency: the
  // accounts hold several (XBT at BitMEX; USDT and BTC at Binance; BTC at OKX).
  const out1 = runKinds(out, {
    venues: [{ name: 'BITMEX', account_type: 'MARGIN', starting_balances: ['10 XBT'] }, { name: 'BINANCE', account_type: 'MARGIN', starting_balances: ['1000000 USDT', '10 BTC'] },
      { name: 'OKX', account_type: 'MARGIN', starting_balances: ['1 BTC'] }],
    legs: KINDS.map(legOf),
  });
  assert.deepEqual(out1.refused, []);
  assert.equal(out1.iterations, KINDS.reduce((a, k) => a + k.trades.length, 0), 'every trade of the catalog was played');
  for (const k of KINDS) assert.equal(out1.trades[k.id], k.trades.length, `${k.id}: trades the strategy saw`);
  const [xbt, fut, spot, okx] = KINDS as [Kind, Kind, Kind, Kind];

  // The inverse contract, by hand: 1200 contracts of 1 USD from 42010 to 43010.5 earn
  // 1200 × (1/42010 − 1/43010.5) XBT, at XBT's 8 decimals.
  const e = xbt.trades[xbt.buyOn]![0], x = xbt.trades[xbt.sellOn]![0];
  const byHand = inversePnl(xbt.qty, xbt.instrument.multiplier!, e, x, 8);
  assert.equal(byHand, '0.00066446'); // 0.000664463556… (Python's Decimal, 50 digits)
  const pnl = roundTrip(out1, xbt);
  assert.equal(pnl, `${byHand} XBT`);
  assert.deepEqual(out1.balances.BITMEX, [`${plus(10n, byHand)} XBT`], 'the XBT account: 10 + the PnL');

  // The linear ones, Q × (X − E) in USDT.
  const futPnl = linearPnl(fut.qty, fut.trades[fut.buyOn]![0], fut.trades[fut.sellOn]![0], 8);
  const spotPnl = linearPnl(spot.qty, spot.trades[spot.buyOn]![0], spot.trades[spot.sellOn]![0], 8);
  assert.equal(roundTrip(out1, fut), `${futPnl} USDT`);
  assert.equal(roundTrip(out1, spot), `${spotPnl} USDT`);

  // The inverse future of 100 USD contracts, a loss: 35 × 100 × (1/42000.3 − 1/41500.7) BTC.
  const okxByHand = inversePnl(okx.qty, okx.instrument.multiplier!, okx.trades[okx.buyOn]![0], okx.trades[okx.sellOn]![0], 8);
  assert.equal(okxByHand, '-0.00100319'); // −0.001003188764… (Python's Decimal, 50 digits)
  const okxPnl = roundTrip(out1, okx);
  assert.equal(okxPnl, `${okxByHand} BTC`);
  assert.deepEqual(out1.balances.OKX, [`${plus(1n, okxByHand)} BTC`], 'the BTC account: 1 + the PnL');
  t.diagnostic(`NautilusTrader round trips: XBTUSD.BITMEX ${pnl} (by hand ${byHand} XBT), BTC-USD-240329.OKX ${okxPnl} (by hand ${okxByHand} BTC), `
    + `BTCUSDT_240329.BINANCE ${futPnl} USDT, BTCUSDT.BINANCE ${spotPnl} USDT`);
});

test('The spot pair alone trades on a CASH account; a CASH venue refuses the dated future', async (t) => {
  if (!needNautilus(t)) return;
  const { catalog: out } = await catalog();
  const spot = KINDS.find((k) => k.cls === 'CurrencyPair')!;
  const fut = KINDS.find((k) => k.id === 'BTCUSDT_240329.BINANCE')!;
  const cash = runKinds(out, { venues: [{ name: 'BINANCE', account_type: 'CASH', starting_balances: ['1000 USDT', '0 BTC'] }], legs: [legOf(spot)] });
  assert.deepEqual(cash.refused, []);
  roundTrip(cash, spot);
  // Bought and sold back: the BTC is gone again, the USDT grew by Q × (X − E).
  const gain = linearPnl(spot.qty, spot.trades[spot.buyOn]![0], spot.trades[spot.sellOn]![0], 8);
  assert.deepEqual(cash.balances.BINANCE, ['0.00000000 BTC', `${plus(1000n, gain)} USDT`]);
  assert.throws(() => runKinds(out, { venues: [{ name: 'BINANCE', account_type: 'CASH', starting_balances: ['1000 USDT'] }], legs: [legOf(fut)] }),
    /Cannot add a `CryptoFuture` type instrument to a venue with a `CASH` account type/);
});
