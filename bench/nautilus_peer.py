"""NautilusTrader's own pipeline as the bench's peer (bench/run.ts): a Tardis trades CSV(.gz) streamed
by its TardisCSVDataLoader.stream_trades into ParquetDataCatalog.write_data, one chunk at a time, as
its docs advise for large files. Prints {ms, maxRssMb, rows, files} as one JSON line; the time starts
after the imports, as the node child's does.

  python bench/nautilus_peer.py CSV CATALOG [INSTRUMENT_ID PRICE_PRECISION SIZE_PRECISION]
"""

import sys
import time

from nautilus_trader.adapters.tardis.loaders import TardisCSVDataLoader
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.persistence.catalog import ParquetDataCatalog

from nautilus_peer_types import print_result, write_chunks


def main() -> None:
    csv, out = sys.argv[1], sys.argv[2]
    iid = sys.argv[3] if len(sys.argv) > 3 else "BTCUSDT-PERP.BINANCE"
    pp = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    sp = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    t0 = time.perf_counter()
    loader = TardisCSVDataLoader(price_precision=pp, size_precision=sp, instrument_id=InstrumentId.from_str(iid))
    catalog = ParquetDataCatalog(out)
    # pyo3 objects straight into the catalog: the path its docs give for writing (no Cython copies);
    # write_chunks carries each chunk's last ts_init over (write_data refuses touching intervals)
    rows = write_chunks(catalog, loader.stream_trades(csv, chunk_size=100_000, as_legacy_cython=False))
    print_result(t0, out, rows)


if __name__ == "__main__":
    main()
