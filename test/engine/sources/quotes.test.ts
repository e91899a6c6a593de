// engine/sources/quotes against the real fixtures (../shared/fixtures/sources): Tardis quotes and
// book snapshots, Binance bookTicker messages in every capture shape, Vision bookTicker rows, and
// the quote checks. Tardis rows are compared with test/nautilus/inputs.ts, which shares no code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  TARDIS_QUOTES_HEADER, VISION_BOOK_TICKER_HEADER, bookSnapshotLevels, bookTickersOfLine, checkQuote,
  parseBookSnapshotTop, parseBookTicker, parseTardisQuoteRow, parseVisionBookTickerRow, type QuoteRow,
} from '../../../engine/sources/quotes/index.js';
import { SOURCES, needShared } from '../../helpers.js';
import { tardisQuotes } from '../../nautilus/inputs.js';

const read = (name: string) => readFileSync(join(SOURCES, name), 'utf8');
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const ok = (r: QuoteRow | { error: string } | null): QuoteRow => {
  if (!r || 'error' in r) assert.fail(`expected a quote, got ${r === null ? 'null' : r.error}`);
  return r;
};

for (const file of ['tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv', 'tardis-csv_quotes_huobi-dm-swap_BTC-USD_2020-05-01.csv']) {
  test(`parseTardisQuoteRow reads every row of ${file} as the independent parser does`, (t) => {
    if (!needShared(t)) return;
    const text = read(file);
    const [header, ...rows] = lines(text);
    assert.equal(header, TARDIS_QUOTES_HEADER);
    const want = tardisQuotes(text);
    assert.equal(rows.length, want.length);
    rows.forEach((row, i) => assert.deepEqual(ok(parseTardisQuoteRow(row.split(','))), want[i], `line ${i + 2}`));
    // Real best bid/ask: none crossed, empty or zero, so all pass the checks.
    assert.deepEqual(rows.filter((r) => checkQuote(ok(parseTardisQuoteRow(r.split(','))))), []);
  });
}

test('parseTardisQuoteRow: the first binance-futures row, field by field (ask amount comes first)', (t) => {
  if (!needShared(t)) return;
  const row = lines(read('tardis-csv_quotes_binance-futures_BTCUSDT_2020-02-22.csv'))[1]!;
  assert.equal(row, 'binance-futures,BTCUSDT,1582329601096000,1582329603502092,0.84,9682,9681.92,0.67');
  assert.deepEqual(parseTardisQuoteRow(row.split(',')), {
    tsEvent: 1_582_329_601_096_000_000n, tsInit: 1_582_329_603_502_092_000n, bidPrice: '9681.92', bidSize: '0.67', askPrice: '9682', askSize: '0.84',
  });
  assert.match((parseTardisQuoteRow(row.split(',').slice(0, 7)) as { error: string }).error, /7 columns/);
  assert.match((parseTardisQuoteRow(row.replace('1582329601096000', '1582329601096').split(',')) as { error: string }).error, /timestamp "1582329601096" is not a Unix µs time/);
});

test('book_snapshot_5 and _25: levels from the header, top of book from columns 4..7; both files agree', (t) => {
  if (!needShared(t)) return;
  const five = lines(read('tardis-csv_book_snapshot_5_binance-futures_BTCUSDT_2020-09-01.csv'));
  const deep = lines(read('tardis-csv_book_snapshot_25_binance-futures_BTCUSDT_2020-09-01.csv'));
  assert.equal(bookSnapshotLevels(five[0]!), 5);
  assert.equal(bookSnapshotLevels(deep[0]!), 25);
  assert.equal(bookSnapshotLevels(TARDIS_QUOTES_HEADER), null);
  assert.equal(bookSnapshotLevels(five[0]!.replace('bids[3].price', 'bids[4].price')), null);
  const top5 = five.slice(1).map((l) => ok(parseBookSnapshotTop(l.split(','), 5)));
  const top25 = deep.slice(1).map((l) => ok(parseBookSnapshotTop(l.split(','), 25)));
  assert.deepEqual(top5[0], { tsEvent: 1_598_918_403_696_000_000n, tsInit: 1_598_918_403_810_979_000n, askPrice: '11657.08', askSize: '1.714', bidPrice: '11657.07', bidSize: '10.896' });
  // Every change of the top 5 is a change of the top 25: each 5-level row within the 25-level file's span is in it, with the same top.
  const last25 = top25[top25.length - 1]!.tsInit;
  const covered = top5.filter((q) => q.tsInit <= last25);
  assert.ok(covered.length >= 2);
  for (const q of covered) assert.deepEqual(top25.find((d) => d.tsInit === q.tsInit), q);
  assert.deepEqual(top5.filter((q) => checkQuote(q)), []);
  assert.match((parseBookSnapshotTop(five[1]!.split(','), 25) as { error: string }).error, /24 columns, a book_snapshot_25 row has 104/);
});

// The Binance USD-M documentation example (the JSONL fixtures hold no bookTicker message).
const DOC = { e: 'bookTicker', u: 400900217, E: 1568014460893, T: 1568014460891, s: 'BNBUSDT', b: '25.35190000', B: '31.21000000', a: '25.36520000', A: '40.66000000' };
const DOC_QUOTE: QuoteRow = { tsEvent: 1_568_014_460_891_000_000n, tsInit: 1_568_014_460_891_000_000n, bidPrice: '25.35190000', bidSize: '31.21000000', askPrice: '25.36520000', askSize: '40.66000000' };

test('bookTicker in every capture shape: raw, combined, {ts_recv,msg}, Tardis data-feed line, Tardis Machine', () => {
  const combined = { stream: 'bnbusdt@bookTicker', data: DOC };
  assert.deepEqual(bookTickersOfLine(JSON.stringify(DOC), 'BNBUSDT'), [DOC_QUOTE]);
  assert.deepEqual(bookTickersOfLine(JSON.stringify(combined), 'BNBUSDT'), [DOC_QUOTE]);
  assert.deepEqual(bookTickersOfLine(JSON.stringify({ stream: '!bookTicker', data: [DOC, { ...DOC, s: 'BTCUSDT' }] }), 'BNBUSDT'), [DOC_QUOTE]);
  const recv = 1_568_014_460_900_123_456n;
  const atRecv = { ...DOC_QUOTE, tsInit: recv };
  assert.deepEqual(bookTickersOfLine(JSON.stringify({ ts_recv: String(recv), msg: combined }), 'BNBUSDT'), [atRecv]);
  // Tardis data-feed: 28-character ISO receive time (100 ns) then the combined message.
  assert.deepEqual(bookTickersOfLine(`2019-09-09T07:34:20.9001234Z ${JSON.stringify(combined)}`, 'BNBUSDT'), [{ ...DOC_QUOTE, tsInit: 1_568_014_460_900_123_400n }]);
  assert.deepEqual(bookTickersOfLine(JSON.stringify({ localTimestamp: '2019-09-09T07:34:20.9001234Z', message: combined }), 'BNBUSDT'), [{ ...DOC_QUOTE, tsInit: 1_568_014_460_900_123_400n }]);
  // Other symbols, other events, empty lines and acks give nothing.
  assert.deepEqual(bookTickersOfLine(JSON.stringify(DOC), 'BTCUSDT'), []);
  assert.deepEqual(bookTickersOfLine('{"e":"aggTrade","E":1,"s":"BNBUSDT","p":"1","q":"1","T":1,"m":true,"a":1}', 'BNBUSDT'), []);
  assert.deepEqual(bookTickersOfLine('', 'BNBUSDT'), []);
  assert.deepEqual(bookTickersOfLine('{"result":null,"id":1}', 'BNBUSDT'), []);
  assert.deepEqual(bookTickersOfLine('{"e":"bookTicker"', 'BNBUSDT'), [{ error: 'not JSON' }]);
  assert.match(JSON.stringify(bookTickersOfLine(JSON.stringify({ ts_recv: 'soon', msg: DOC }), 'BNBUSDT')), /neither ns nor ISO/);
});

test('parseBookTicker: ts_event from T, else E, else the receive time; spot payloads have no times', () => {
  const { T: _T, ...noT } = DOC;
  assert.equal(ok(parseBookTicker(noT, null)).tsEvent, 1_568_014_460_893_000_000n);
  const spot = { u: 400900217, s: 'BNBUSDT', b: '25.35190000', B: '31.21000000', a: '25.36520000', A: '40.66000000' };
  assert.match((parseBookTicker(spot, null) as { error: string }).error, /no time/);
  assert.deepEqual(parseBookTicker(spot, 5n), { ...DOC_QUOTE, tsEvent: 5n, tsInit: 5n });
  assert.equal(parseBookTicker({ e: 'markPriceUpdate', s: 'BNBUSDT' }, null), null);
  assert.match((parseBookTicker({ ...DOC, B: 31.21 }, null) as { error: string }).error, /"B" is not a string/);
  assert.match((parseBookTicker({ ...DOC, a: undefined }, null) as { error: string }).error, /"a" is missing/);
});

test('parseVisionBookTickerRow: Vision futures bookTicker CSV (ms), ts_event = transaction_time', () => {
  assert.equal(VISION_BOOK_TICKER_HEADER, 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time');
  const row = '3062820799546,26.67000000,172.00000000,26.67100000,582.00000000,1689379200098,1689379200104';
  assert.deepEqual(parseVisionBookTickerRow(row.split(',')), {
    tsEvent: 1_689_379_200_098_000_000n, tsInit: 1_689_379_200_098_000_000n, bidPrice: '26.67000000', bidSize: '172.00000000', askPrice: '26.67100000', askSize: '582.00000000',
  });
  assert.match((parseVisionBookTickerRow(VISION_BOOK_TICKER_HEADER.split(',')) as { error: string }).error, /update_id "update_id"/);
  assert.match((parseVisionBookTickerRow(row.replace('1689379200098', '1689379200098000').split(',')) as { error: string }).error, /transaction_time/);
  assert.match((parseVisionBookTickerRow(row.split(',').slice(1)) as { error: string }).error, /6 columns/);
});

test('checkQuote: empty side, zero or negative size and crossed quotes are refused with a reason; locked is kept', () => {
  const q: QuoteRow = { tsEvent: 1n, tsInit: 1n, bidPrice: '9681.92', bidSize: '0.67', askPrice: '9682', askSize: '0.84' };
  assert.equal(checkQuote(q), null);
  assert.equal(checkQuote({ ...q, askPrice: '9681.92' }), null, 'locked (bid = ask)');
  assert.equal(checkQuote({ ...q, askPrice: '9681.920' }), null, 'locked, other text');
  assert.deepEqual(checkQuote({ ...q, askPrice: '9681.91' }), { kind: 'crossed', reason: 'crossed: bid 9681.92 is above ask 9681.91' });
  assert.deepEqual(checkQuote({ ...q, bidPrice: '9682.000000000000000001' }), { kind: 'crossed', reason: 'crossed: bid 9682.000000000000000001 is above ask 9682' });
  assert.deepEqual(checkQuote({ ...q, bidPrice: '', bidSize: '' }), { kind: 'empty', reason: 'bid price is empty (no level on that side)' });
  assert.deepEqual(checkQuote({ ...q, askSize: '0.000' }), { kind: 'zero size', reason: 'ask size is zero' });
  assert.deepEqual(checkQuote({ ...q, bidSize: '-1' }), { kind: 'negative size', reason: 'bid size -1 is negative' });
  assert.deepEqual(checkQuote({ ...q, askPrice: 'abc' }), { kind: 'not a number', reason: 'ask price "abc" is not a number' });
  // A Tardis row with an empty side (NautilusTrader's loader writes zeros there instead).
  const empty = parseTardisQuoteRow('binance-futures,BTCUSDT,1582329603401000,1582329603522418,,,9681.83,0.003'.split(','));
  assert.equal(checkQuote(ok(empty))?.kind, 'empty');
});
