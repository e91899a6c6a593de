// The app's side of a file's local conventions (issue 15, items 9, 10, 11): what it offers from the
// engine's proposals, what the user's choice sends in the job, and the status filter of the preview.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocaleProposals, PreviewRow } from '../../shared/api.js';
import { JobSpec } from '../../shared/job.js';
import { acceptOffer, decimalExample, filterRows, localeOffer, sidePairs, sideValuesOf } from '../../renderer/src/logic/locale.js';
import { buildJob, defaultDraft } from '../../renderer/src/logic/job.js';
import { fileInfo } from '../support/fake-api.js';

const P: LocaleProposals = {
  decimal: { value: ',', example: '42000,5' },
  dateFormat: { value: 'day-first', example: '31.01.2024 10:00:00', sure: true },
  sideValues: { column: 'side', values: { Kauf: 'buyer', Verkauf: 'seller', Halten: '' }, unknown: ['Kauf', 'Verkauf', 'Halten'] },
};

test('the offer: proposals not yet settled by the file options; only the ticked parts are taken', () => {
  const offer = localeOffer(P, {});
  assert.deepEqual(offer, { decimal: { example: '42000,5' }, dateFormat: { value: 'day-first', example: '31.01.2024 10:00:00', sure: true } });
  assert.deepEqual(acceptOffer(offer, { decimal: true, dateFormat: true }), { decimal: ',', dateFormat: 'day-first' });
  assert.deepEqual(acceptOffer(offer, { decimal: false, dateFormat: true }), { dateFormat: 'day-first' });
  // Set either way (even back to "."): no longer offered. A Unix unit chosen: no date offer.
  assert.deepEqual(localeOffer(P, { decimal: '.', dateFormat: 'day-first' }), {});
  assert.deepEqual(localeOffer(P, { timestampUnit: 'ms' }).dateFormat, undefined);
  assert.deepEqual(localeOffer(undefined, {}), {});
  assert.equal(decimalExample('1.234,5'), '1.234,5 → 1234.5');
});

test('side values: the proposal until used, then the file’s own pairs (with values still unknown); unchosen values are not sent', () => {
  const before = sidePairs(P, {});
  assert.equal(before.applied, false);
  assert.deepEqual(before.pairs, [
    { value: 'Kauf', side: 'buyer', unknown: true }, { value: 'Verkauf', side: 'seller', unknown: true }, { value: 'Halten', side: '', unknown: true },
  ]);
  assert.deepEqual(sideValuesOf(before.pairs), { Kauf: 'buyer', Verkauf: 'seller' });
  const after = sidePairs(P, { sideValues: { kauf: 'seller' } });
  assert.equal(after.applied, true);
  assert.deepEqual(after.pairs.map((p) => [p.value, p.side]), [['kauf', 'seller'], ['Verkauf', 'seller'], ['Halten', '']]);
  assert.equal(sideValuesOf([{ value: 'x', side: '', unknown: true }]), undefined);
});

test('the job carries the file options as the config entry’s decimal, date_format and side_values', () => {
  const files = [{ info: fileInfo('/d/de.csv', ['time', 'price', 'qty', 'side', 'id']), types: ['trades' as const], options: { delimiter: ';', decimal: ',' as const, dateFormat: 'day-first' as const, sideValues: { Kauf: 'buyer' as const, Verkauf: 'seller' as const } } }];
  const draft = { ...defaultDraft(), start: '2024-01-31', end: '2024-01-31', output: '/cat' };
  const built = buildJob(draft, files, {});
  assert.deepEqual(built.errors, []);
  assert.deepEqual(built.spec!.config.files!.trades, { file_path: ['/d/de.csv'], delimiter: ';', decimal: ',', date_format: 'day-first', side_values: { Kauf: 'buyer', Verkauf: 'seller' } });
  assert.equal(JobSpec.safeParse(built.spec).success, true);
  // Two files of one layout (one config entry) with different side values: the first is used, and the user is told.
  const two = buildJob(draft, [...files, { ...files[0]!, info: fileInfo('/d/de2.csv', ['time', 'price', 'qty', 'side', 'id']), options: { ...files[0]!.options, sideValues: { K: 'buyer' as const } } }], {});
  assert.match(two.warnings.join('\n'), /trades: the files have different side values; the first one is used for all/);
  // Files of another layout are an entry of their own, with their own options.
  const other = buildJob(draft, [...files, { ...files[0]!, info: fileInfo('/d/en.csv', ['time']), options: { sideValues: { K: 'buyer' as const } } }], {});
  assert.deepEqual(other.warnings.filter((w) => w.includes('side values')), []);
  const entries = other.spec!.config.files!.trades as { file_path: string[]; side_values?: unknown }[];
  assert.deepEqual(entries.map((e) => [e.file_path, e.side_values]), [[['/d/de.csv'], { Kauf: 'buyer', Verkauf: 'seller' }], [['/d/en.csv'], { K: 'buyer' }]]);
});

test('a status badge filters the preview rows', () => {
  const rows = (['ok', 'rejected', 'ok', 'skipped', 'rejected'] as const).map((status, i): PreviewRow => ({ line: i + 2, cells: [], status }));
  assert.deepEqual(filterRows(rows, 'all'), [0, 1, 2, 3, 4]);
  assert.deepEqual(filterRows(rows, 'rejected'), [1, 4]);
  assert.deepEqual(filterRows(rows, 'ok'), [0, 2]);
  assert.deepEqual(filterRows(rows, 'duplicate'), []);
});
