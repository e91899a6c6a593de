#!/usr/bin/env python3
"""Independent reader check (Arrow C++): every trade row of a catalog equals its Tardis trades CSV.

    python3 scripts/check-with-pyarrow.py <catalog> <tardis-trades.csv.gz>

Needs pyarrow (not installed by npm; the test suite checks arrow-rs and DuckDB instead). The CSV must
be in local_timestamp order, as Tardis files are, and fully inside the catalog's days.
"""
import csv
import glob
import gzip
import sys
from decimal import Decimal

import pyarrow
import pyarrow.parquet as pq

catalog, source = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(f'{catalog}/data/trade_tick/*/*.parquet'))
if not files:
    sys.exit(f'no trade files under {catalog}/data/trade_tick')
scale = None
rows = 0
with gzip.open(source, 'rt', newline='') as f:
    reader = csv.reader(f)
    next(reader)
    for path in files:
        pf = pq.ParquetFile(path)
        width = pf.schema_arrow.field('price').type.byte_width
        scale = Decimal(10) ** (16 if width == 16 else 9)
        md = pf.metadata
        print(f'{path.rsplit("/", 1)[-1]}: {md.num_rows} rows, {md.num_row_groups} row groups, format {md.format_version}, '
              f'price encodings {md.row_group(0).column(0).encodings}')
        for batch in pf.iter_batches(batch_size=100_000):
            d = batch.to_pydict()
            for i in range(batch.num_rows):
                _ex, _sym, ts, local, tid, side, price, amount = next(reader)
                p = Decimal(int.from_bytes(d['price'][i], 'little', signed=True)) / scale
                q = Decimal(int.from_bytes(d['size'][i], 'little', signed=False)) / scale
                where = f'{path} row {i} (CSV data row {rows + 1})'
                assert p == Decimal(price) and q == Decimal(amount), f'{where}: price/size {p}/{q} != {price}/{amount}'
                assert d['trade_id'][i] == tid, f'{where}: trade_id'
                assert d['ts_event'][i] == int(ts) * 1000 and d['ts_init'][i] == int(local) * 1000, f'{where}: timestamps'
                assert d['aggressor_side'][i] == {'buy': 1, 'sell': 2}.get(side, 0), f'{where}: aggressor_side'
                rows += 1
    if next(reader, None) is not None:
        sys.exit(f'{source} has more rows than the catalog ({rows} checked)')
print(f'pyarrow {pyarrow.__version__}: {rows} rows read, every one equal to {source}')
