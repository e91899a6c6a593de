// Day files carry a CRC in every page header (engine/parquet/crc.ts). The real NautilusTrader
// 1.231 loads such a catalog (trades and mark prices through its Rust DataFusion backend, funding
// rates and the instrument through pyarrow) with the same rows, and pyarrow with page checksum
// verification on accepts every page (so the CRCs are right) and refuses a page with a flipped bit.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { chunkStart, readPageHeader } from '../../engine/parquet/crc.js';
import { TStruct, decodeStruct } from '../../engine/parquet/thrift.js';
import { verifyCatalog } from '../../engine/catalog/verify.js';
import { genTardisTicker, genTardisTrades } from '../../scripts/gen-data.js';
import { build, filesUnder, tempDir } from '../helpers.js';
import { needNautilus, runPython } from '../support/nautilus.js';

/** Pages of a file, and how many of them carry a CRC. */
async function pageCrcs(path: string): Promise<{ pages: number; withCrc: number }> {
  const b = await readFile(path);
  const len = b.readUInt32LE(b.length - 8);
  const footer = decodeStruct(b.subarray(b.length - 8 - len, b.length - 8));
  let pages = 0, withCrc = 0;
  for (const rg of footer.list(4)!.items as TStruct[]) {
    for (const cc of rg.list(1)!.items as TStruct[]) {
      const md = cc.struct(3)!;
      const start = chunkStart(md);
      for (let p = start; p < start + Number(md.i64(7)!);) {
        const h = readPageHeader(b, p);
        pages++;
        if (typeof h.header.get(4) === 'number') withCrc++;
        p += h.len + h.size;
      }
    }
  }
  return { pages, withCrc };
}

const LOAD = `
import sys, glob
import pyarrow.parquet as pq
from nautilus_trader.persistence.catalog import ParquetDataCatalog
from nautilus_trader.model.data import FundingRateUpdate, MarkPriceUpdate
root = sys.argv[1]
c = ParquetDataCatalog(root)
print("trades", len(c.trade_ticks()))
print("mark", len(c.query(MarkPriceUpdate)))
print("funding", len(c.query(FundingRateUpdate)))
print("instruments", len(c.instruments()))
rows = 0
for f in sorted(glob.glob(root + "/data/*/*/*.parquet")):
    rows += pq.read_table(f, page_checksum_verification=True).num_rows
print("verified", rows)
try:
    pq.read_table(sys.argv[2], page_checksum_verification=True)
    print("flipped accepted")
except OSError as e:
    print("flipped refused", "CRC" in str(e))
`;

test('NautilusTrader 1.231 loads a catalog whose pages carry CRCs; pyarrow verifies every CRC and refuses a flipped page', async (t) => {
  if (!needNautilus(t)) return;
  const dir = await tempDir(t);
  // 60k trades over two days: row groups of 30k go to the encoder threads, the rest is encoded inline.
  await genTardisTrades({ path: join(dir, 'trades.csv.gz'), rows: 60_000, start: '2024-01-01', days: 2, seed: 3 });
  await genTardisTicker({ path: join(dir, 'ticker.csv'), start: '2024-01-01', days: 2, everySec: 600, seed: 4 });
  const files = { trades: { file_path: 'trades.csv.gz' }, mark: { file_path: 'ticker.csv' }, funding: { file_path: 'ticker.csv' } };
  const report = await build(dir, files, { start: '2024-01-01', end: '2024-01-02', rowGroupSize: 30_000 });
  assert.equal(report.ok, true, report.errors.join('\n'));
  const catalog = join(dir, 'catalog');
  const dayFiles = (await filesUnder(join(catalog, 'data'))).filter((f) => !f.startsWith('crypto_perpetual/'));
  assert.equal(dayFiles.length, 6);
  for (const f of dayFiles) {
    const { pages, withCrc } = await pageCrcs(join(catalog, 'data', f));
    assert.ok(pages > 0 && withCrc === pages, `${f}: ${withCrc} of ${pages} pages carry a CRC`);
  }
  assert.deepEqual((await verifyCatalog(catalog)).errors, []);

  const trades = join(catalog, 'data', dayFiles.find((f) => f.startsWith('trade_tick/'))!);
  const flipped = join(dir, 'flipped.parquet');
  const b = await readFile(trades);
  b[Math.floor(b.length / 3)] = b[Math.floor(b.length / 3)]! ^ 0x10;
  await writeFile(flipped, b);

  const out = runPython(['-c', LOAD, catalog, flipped]);
  const got = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.lastIndexOf(' ')), l.slice(l.lastIndexOf(' ') + 1)]));
  const written = (type: string) => report.days.filter((d) => d.dataType === type).reduce((a, d) => a + d.written, 0);
  assert.equal(Number(got.trades), written('trades'), out);
  assert.equal(Number(got.trades), 60_000, out);
  assert.equal(Number(got.mark), written('mark'), out);
  assert.equal(Number(got.funding), written('funding'), out);
  assert.equal(Number(got.instruments), 1, out);
  assert.equal(Number(got.verified), written('trades') + written('mark') + written('funding') + 1, out);
  assert.equal(got['flipped refused'], 'True', out);
});
