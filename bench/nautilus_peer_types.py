"""NautilusTrader's own pipelines for quotes, bars and order-book deltas, as the bench's peers (bench/types.ts). Prints
{ms, maxRssMb, rows, files} as one JSON line; the time starts after the imports.

  python bench/nautilus_peer_types.py quotes CSV CATALOG INSTRUMENT_ID PRICE_PRECISION SIZE_PRECISION
      Tardis quotes CSV(.gz): TardisCSVDataLoader.stream_quotes -> ParquetDataCatalog.write_data
  python bench/nautilus_peer_types.py deltas CSV CATALOG INSTRUMENT_ID PRICE_PRECISION SIZE_PRECISION
      Tardis incremental_book_L2 CSV(.gz): TardisCSVDataLoader.stream_deltas -> ParquetDataCatalog.write_data
  python bench/nautilus_peer_types.py bars CSV CATALOG INSTRUMENT_ID PRICE_PRECISION SIZE_PRECISION
      Binance Vision 1-minute klines CSV (with header): pandas -> BarDataWrangler (1-MINUTE-LAST-EXTERNAL,
      stamped at the close: close_time + 1 ms) -> write_data, one UTC day at a time
"""

import json
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
from nautilus_trader.adapters.tardis.loaders import TardisCSVDataLoader
from nautilus_trader.model.currencies import BTC, USDT
from nautilus_trader.model.data import BarType
from nautilus_trader.model.identifiers import InstrumentId, Symbol
from nautilus_trader.model.instruments import CryptoPerpetual
from nautilus_trader.model.objects import Money, Price, Quantity
from nautilus_trader.persistence.catalog import ParquetDataCatalog
from nautilus_trader.persistence.wranglers import BarDataWrangler


def write_chunks(catalog: ParquetDataCatalog, chunks) -> int:
    """write_data refuses a file whose interval touches an earlier one: the rows of each chunk's last
    ts_init are carried over to the next."""
    rows, carry = 0, []
    for chunk in chunks:
        data = carry + chunk
        cut = len(data)
        while cut > 0 and data[cut - 1].ts_init == data[-1].ts_init:
            cut -= 1
        if cut == 0:
            carry = data
            continue
        catalog.write_data(data[:cut])
        rows += cut
        carry = data[cut:]
    if carry:
        catalog.write_data(carry)
        rows += len(carry)
    return rows


def print_result(t0: float, out: str, rows: int) -> None:
    """The one JSON line the bench reads: time since t0, peak RSS, rows and the files written."""
    ms = (time.perf_counter() - t0) * 1000
    files = [str(p) for p in Path(out).rglob("*.parquet")]
    ru = resource.getrusage(resource.RUSAGE_SELF)
    max_rss_mb = ru.ru_maxrss / 1024  # Linux: KiB
    # cpuMs: CPU time of every thread of the process (from its start, imports included)
    print(json.dumps({"ms": ms, "cpuMs": (ru.ru_utime + ru.ru_stime) * 1000, "maxRssMb": max_rss_mb, "rows": rows, "files": files}))


def instrument(iid: str, pp: int, sp: int) -> CryptoPerpetual:
    inc = lambda p: "0." + "0" * (p - 1) + "1" if p else "1"  # noqa: E731
    return CryptoPerpetual(
        instrument_id=InstrumentId.from_str(iid), raw_symbol=Symbol(iid.split("-")[0].split(".")[0]),
        base_currency=BTC, quote_currency=USDT, settlement_currency=USDT, is_inverse=False,
        price_precision=pp, price_increment=Price.from_str(inc(pp)), size_precision=sp, size_increment=Quantity.from_str(inc(sp)),
        max_quantity=None, min_quantity=None, max_notional=None, min_notional=Money(5, USDT), max_price=None, min_price=None,
        margin_init=Decimal(1), margin_maint=Decimal(1), maker_fee=Decimal("0.0002"), taker_fee=Decimal("0.0005"), ts_event=0, ts_init=0,
    )


def bars(csv: str, catalog: ParquetDataCatalog, iid: str, pp: int, sp: int) -> int:
    wrangler = BarDataWrangler(BarType.from_str(f"{iid}-1-MINUTE-LAST-EXTERNAL"), instrument(iid, pp, sp))
    df = pd.read_csv(csv, usecols=["open", "high", "low", "close", "volume", "close_time"])
    df.index = pd.to_datetime(df.pop("close_time") + 1, unit="ms", utc=True)
    df.index.name = "timestamp"
    days = (g for _, g in df.groupby(df.index.floor("D")))
    return write_chunks(catalog, (wrangler.process(g) for g in days))


def main() -> None:
    kind, csv, out, iid, pp, sp = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    t0 = time.perf_counter()
    catalog = ParquetDataCatalog(out)
    if kind == "quotes":
        loader = TardisCSVDataLoader(price_precision=pp, size_precision=sp, instrument_id=InstrumentId.from_str(iid))
        rows = write_chunks(catalog, loader.stream_quotes(csv, chunk_size=100_000, as_legacy_cython=False))
    elif kind == "deltas":
        loader = TardisCSVDataLoader(price_precision=pp, size_precision=sp, instrument_id=InstrumentId.from_str(iid))
        rows = write_chunks(catalog, loader.stream_deltas(csv, chunk_size=100_000, as_legacy_cython=False))
    elif kind == "bars":
        rows = bars(csv, catalog, iid, pp, sp)
    else:
        raise SystemExit(f"unknown kind {kind}")
    print_result(t0, out, rows)


if __name__ == "__main__":
    main()
