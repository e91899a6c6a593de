// Progress figures: no rate or ETA from the first instants of a run (they were "2,500M rows/s").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_RATE_SECONDS, etaOf, rateOf } from '../../../engine/jobs/rate.js';

test('a rate and an ETA only after half a second of work, and an ETA only once 1% is done', () => {
  assert.equal(rateOf(2_500_000, 0.001), 0, '2,500 rows in 1 ms says nothing yet');
  assert.equal(rateOf(1_000_000, 2), 500_000);
  assert.equal(rateOf(10, MIN_RATE_SECONDS), 20);
  assert.equal(etaOf(0.5, 0.01), null);
  assert.equal(etaOf(0.005, 10), null);
  assert.equal(etaOf(0.25, 10), 30);
  assert.equal(etaOf(1, 10), 0);
});
