"""NautilusTrader's own code paths, for the parity tests (test/nautilus/parity.test.ts).

Each subcommand runs NautilusTrader's own loader, writer or instrument parser and prints what it
produced as JSON lines (decimal values as text, timestamps as integers in text), so the node side
can compare them with what our builder writes, field by field.

  tardis-trades CSV [--instrument-id ID] [--price-precision P --size-precision S]
      TardisCSVDataLoader.load_trades: one line per trade.
  tardis-funding CSV [--instrument-id ID]
      TardisCSVDataLoader.load_funding_rates (derivative_ticker): one line per update.
  write-reference CATALOG [--trades CSV]... [--funding CSV]... [--quotes CSV]... [--instrument-id ID] [--price-precision P --size-precision S]
      The same loaders (quotes: load_quotes) into ParquetDataCatalog.write_data: NautilusTrader's own catalog.
  book-references SPEC_JSON
      Order books (test/nautilus/books.test.ts), several catalogs in one process: SPEC is a list of
      {catalog, instrument_id, price_precision, size_precision, deltas: [CSV], depth5: [CSV],
      depth25: [CSV], write: true}; each CSV goes through load_deltas or load_depth10(levels=5|25)
      and one ParquetDataCatalog.write_data call (so one Parquet file per CSV); the depths as
      loaded are printed too, as nt_check.py prints them (write false: only printed, for 1.231
      cannot write its own book_snapshot_5 depths: their empty levels have precision 0, and
      write_data refuses a batch of mixed precisions).
  catalog CATALOG
      ParquetDataCatalog(CATALOG): instruments, trades and funding rates as loaded.
  binance-instruments EXCHANGE_INFO_JSON
      BinanceFuturesInstrumentProvider.load_all_async on that response (no credentials: fee tier
      0), the HTTP request answered from the file: one line per instrument.
  binance-spot-instruments EXCHANGE_INFO_JSON
      BinanceSpotInstrumentProvider.load_all_async on that /api/v3/exchangeInfo response (no
      credentials: fees 0), the request answered from the file: one line per instrument.
  parquet-schema FILE
      Arrow schema of a Parquet file: fields (name, type, nullable) and key-value metadata.
"""

import argparse
import asyncio
import json
import sys
from decimal import Decimal
from pathlib import Path


def trade_row(t) -> dict:
    return {
        "instrument_id": str(t.instrument_id),
        "price": str(t.price),
        "size": str(t.size),
        "aggressor_side": t.aggressor_side.name if hasattr(t.aggressor_side, "name") else str(t.aggressor_side),
        "trade_id": str(t.trade_id),
        "ts_event": str(t.ts_event),
        "ts_init": str(t.ts_init),
    }


def funding_row(f) -> dict:
    return {
        "instrument_id": str(f.instrument_id),
        "rate": str(f.rate),
        "interval": None if f.interval is None else int(f.interval),
        "next_funding_ns": None if f.next_funding_ns is None else str(f.next_funding_ns),
        "ts_event": str(f.ts_event),
        "ts_init": str(f.ts_init),
    }


def instrument_row(i) -> dict:
    d = type(i).to_dict(i)
    d.pop("info", None)
    return {k: (str(v) if isinstance(v, (Decimal, int)) and not isinstance(v, bool) else v) for k, v in d.items()}


def emit(rows) -> None:
    out = sys.stdout
    for r in rows:
        out.write(json.dumps(r) + "\n")


def loader(args):
    from nautilus_trader.adapters.tardis.loaders import TardisCSVDataLoader
    from nautilus_trader.model.identifiers import InstrumentId

    iid = InstrumentId.from_str(args.instrument_id) if args.instrument_id else None
    return TardisCSVDataLoader(price_precision=args.price_precision, size_precision=args.size_precision, instrument_id=iid)


def cmd_tardis_trades(args) -> None:
    emit(trade_row(t) for t in loader(args).load_trades(args.csv))


def cmd_tardis_funding(args) -> None:
    emit(funding_row(f) for f in loader(args).load_funding_rates(args.csv))


def cmd_write_reference(args) -> None:
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    catalog = ParquetDataCatalog(args.catalog)
    ld = loader(args)
    for path in args.trades or []:
        catalog.write_data(ld.load_trades(path))
    for path in args.funding or []:
        catalog.write_data(ld.load_funding_rates(path))
    for path in args.quotes or []:
        catalog.write_data(ld.load_quotes(path))


def cmd_book_references(args) -> None:
    from nautilus_trader.adapters.tardis.loaders import TardisCSVDataLoader
    from nautilus_trader.model.identifiers import InstrumentId
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    from nt_check import depth_fields

    for spec in json.loads(Path(args.spec).read_text()):
        catalog = ParquetDataCatalog(spec["catalog"])
        ld = TardisCSVDataLoader(price_precision=spec["price_precision"], size_precision=spec["size_precision"], instrument_id=InstrumentId.from_str(spec["instrument_id"]))
        for path in spec.get("deltas", []):
            catalog.write_data(ld.load_deltas(path))
        for levels in (5, 25):
            for path in spec.get(f"depth{levels}", []):
                depths = ld.load_depth10(path, levels=levels)
                emit({"catalog": spec["catalog"], "type": "OrderBookDepth10", **depth_fields(d)} for d in depths)
                if spec.get("write", True):
                    catalog.write_data(depths)


def cmd_catalog(args) -> None:
    from nautilus_trader.model.data import FundingRateUpdate
    from nautilus_trader.persistence.catalog import ParquetDataCatalog

    catalog = ParquetDataCatalog(args.catalog)
    emit({"kind": "instrument", **instrument_row(i)} for i in catalog.instruments())
    emit({"kind": "trade", **trade_row(t)} for t in catalog.trade_ticks())
    emit({"kind": "funding", **funding_row(f)} for f in catalog.query(FundingRateUpdate))


def cmd_binance_instruments(args) -> None:
    from nautilus_trader.adapters.binance.common.enums import BinanceAccountType
    from nautilus_trader.adapters.binance.futures.providers import BinanceFuturesInstrumentProvider
    from nautilus_trader.adapters.binance.http.client import BinanceHttpClient
    from nautilus_trader.common.component import LiveClock

    body = json.loads(Path(args.exchange_info).read_text())
    # Fields NautilusTrader's response struct requires but its instrument parsing never reads; an
    # excerpt keeps only the symbols' records (and its capture lacked orderTypes).
    body.setdefault("rateLimits", [])
    for s in body["symbols"]:
        s.setdefault("orderTypes", [])
    response = json.dumps(body).encode()

    clock = LiveClock()
    client = BinanceHttpClient(clock=clock, api_key=None, api_secret=None, base_url="https://fapi.binance.com")

    async def send_request(http_method, url_path, payload=None, ratelimiter_keys=None):
        if not url_path.endswith("/exchangeInfo"):
            raise RuntimeError(f"unexpected request {url_path}")
        return response

    client.send_request = send_request  # the one request the provider makes, answered from the file
    provider = BinanceFuturesInstrumentProvider(client=client, clock=clock, account_type=BinanceAccountType.USDT_FUTURES)
    asyncio.run(provider.load_all_async())
    emit(instrument_row(i) for i in provider.list_all())


def answered_from(path: str, endpoint: str, base_url: str):
    """A Binance HTTP client whose one request (`endpoint`) is answered from the file."""
    from nautilus_trader.adapters.binance.http.client import BinanceHttpClient
    from nautilus_trader.common.component import LiveClock

    response = Path(path).read_bytes()
    clock = LiveClock()
    client = BinanceHttpClient(clock=clock, api_key=None, api_secret=None, base_url=base_url)

    async def send_request(http_method, url_path, payload=None, ratelimiter_keys=None):
        if not url_path.endswith(endpoint):
            raise RuntimeError(f"unexpected request {url_path}")
        return response

    client.send_request = send_request
    return client, clock


def cmd_binance_spot_instruments(args) -> None:
    from nautilus_trader.adapters.binance.common.enums import BinanceAccountType
    from nautilus_trader.adapters.binance.spot.providers import BinanceSpotInstrumentProvider

    client, clock = answered_from(args.exchange_info, "/exchangeInfo", "https://api.binance.com")
    provider = BinanceSpotInstrumentProvider(client=client, clock=clock, account_type=BinanceAccountType.SPOT)
    asyncio.run(provider.load_all_async())
    emit(instrument_row(i) for i in provider.list_all())


def cmd_parquet_schema(args) -> None:
    import pyarrow.parquet as pq

    schema = pq.read_schema(args.file)
    meta = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
    print(json.dumps({
        "fields": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in schema],
        "metadata": meta,
    }))


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)

    def with_loader(sp):
        sp.add_argument("--instrument-id")
        sp.add_argument("--price-precision", type=int)
        sp.add_argument("--size-precision", type=int)
        return sp

    with_loader(sub.add_parser("tardis-trades")).add_argument("csv")
    with_loader(sub.add_parser("tardis-funding")).add_argument("csv")
    w = with_loader(sub.add_parser("write-reference"))
    w.add_argument("catalog")
    w.add_argument("--trades", action="append")
    w.add_argument("--funding", action="append")
    w.add_argument("--quotes", action="append")
    sub.add_parser("book-references").add_argument("spec")
    sub.add_parser("catalog").add_argument("catalog")
    sub.add_parser("binance-instruments").add_argument("exchange_info")
    sub.add_parser("binance-spot-instruments").add_argument("exchange_info")
    sub.add_parser("parquet-schema").add_argument("file")
    args = p.parse_args()
    {
        "tardis-trades": cmd_tardis_trades,
        "tardis-funding": cmd_tardis_funding,
        "write-reference": cmd_write_reference,
        "book-references": cmd_book_references,
        "catalog": cmd_catalog,
        "binance-instruments": cmd_binance_instruments,
        "binance-spot-instruments": cmd_binance_spot_instruments,
        "parquet-schema": cmd_parquet_schema,
    }[args.cmd](args)


if __name__ == "__main__":
    main()
