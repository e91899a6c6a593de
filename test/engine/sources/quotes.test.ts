// The quote checks the normaliser applies (engine/sources/quotes/quote.ts); each source's rows are
// tested through real builds in quotes-build.test.ts and test/nautilus/quotes.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkQuote, type QuoteRow } from '../../../engine/sources/quotes/index.js';

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
  // A Tardis row with an empty ask side (NautilusTrader's loader writes zeros there instead).
  assert.equal(checkQuote({ ...q, askPrice: '', askSize: '' })?.kind, 'empty');
});
