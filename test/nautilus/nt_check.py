"""Loads catalogs with NautilusTrader's own reader and prints every object as one JSON line.

Usage: python nt_check.py CATALOG [CATALOG ...]

Each line is {"catalog": path, "type": name, ...fields}. Prices, sizes and rates are their exact
decimal text, timestamps and other big integers are strings, so nothing is lost on the way to
JavaScript. A failure (NautilusTrader refusing a file, say) goes to stderr with a non-zero exit.

To check a new data type, write one function `catalog -> [(type name, fields), ...]` and add it
to KINDS.
"""

from __future__ import annotations

import json
import sys
import traceback
from decimal import Decimal

from nautilus_trader.model.data import FundingRateUpdate, MarkPriceUpdate, OrderBookDelta, OrderBookDepth10
from nautilus_trader.model.enums import currency_type_to_str, instrument_class_to_str
from nautilus_trader.persistence.catalog import ParquetDataCatalog


def text(v):
    """Exact text of a value: Price/Quantity/Money/Decimal by str(), floats by their shortest repr
    in plain notation (NautilusTrader hands the funding rate over as a float), ints as strings."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, float):
        return format(Decimal(repr(v)), "f")
    return str(v)


def trades(catalog):
    for t in catalog.trade_ticks():
        yield "TradeTick", {
            "instrument_id": str(t.instrument_id),
            "price": str(t.price),
            "size": str(t.size),
            "aggressor_side": t.aggressor_side,  # 1 BUYER, 2 SELLER, 0 NO_AGGRESSOR
            "trade_id": str(t.trade_id),
            "ts_event": str(t.ts_event),
            "ts_init": str(t.ts_init),
        }


def quotes(catalog):
    for q in catalog.quote_ticks():
        yield "QuoteTick", {
            "instrument_id": str(q.instrument_id),
            "bid_price": str(q.bid_price),
            "ask_price": str(q.ask_price),
            "bid_size": str(q.bid_size),
            "ask_size": str(q.ask_size),
            "ts_event": str(q.ts_event),
            "ts_init": str(q.ts_init),
        }


def bars(catalog):
    for b in catalog.bars():
        yield "Bar", {
            "bar_type": str(b.bar_type),
            "instrument_id": str(b.bar_type.instrument_id),
            "open": str(b.open),
            "high": str(b.high),
            "low": str(b.low),
            "close": str(b.close),
            "volume": str(b.volume),
            "ts_event": str(b.ts_event),
            "ts_init": str(b.ts_init),
        }


def marks(catalog):
    for m in catalog.query(MarkPriceUpdate):
        yield "MarkPriceUpdate", {
            "instrument_id": str(m.instrument_id),
            "value": str(m.value),
            "ts_event": str(m.ts_event),
            "ts_init": str(m.ts_init),
        }


def fundings(catalog):
    for f in catalog.query(FundingRateUpdate):
        yield "FundingRateUpdate", {
            "instrument_id": str(f.instrument_id),
            "rate": text(f.rate),
            "rate_py_type": type(f.rate).__name__,
            "interval": text(f.interval),
            "next_funding_ns": text(f.next_funding_ns),
            "ts_event": str(f.ts_event),
            "ts_init": str(f.ts_init),
        }


def book_order(o):
    """A BookOrder as NautilusTrader hands it over: side (0 NO_SIDE, 1 BUY, 2 SELL), exact price and size."""
    return {"side": int(o.side), "price": str(o.price), "size": str(o.size), "order_id": str(o.order_id)}


def deltas(catalog):
    for d in catalog.query(OrderBookDelta):
        yield "OrderBookDelta", {
            "instrument_id": str(d.instrument_id),
            "action": int(d.action),  # 1 ADD, 2 UPDATE, 3 DELETE, 4 CLEAR
            **book_order(d.order),
            "flags": d.flags,
            "sequence": str(d.sequence),
            "ts_event": str(d.ts_event),
            "ts_init": str(d.ts_init),
        }


def depth_fields(d):
    return {
        "instrument_id": str(d.instrument_id),
        "bids": [book_order(o) for o in d.bids],
        "asks": [book_order(o) for o in d.asks],
        "bid_counts": list(d.bid_counts),
        "ask_counts": list(d.ask_counts),
        "flags": d.flags,
        "sequence": str(d.sequence),
        "ts_event": str(d.ts_event),
        "ts_init": str(d.ts_init),
    }


def depths(catalog):
    for d in catalog.query(OrderBookDepth10):
        yield "OrderBookDepth10", depth_fields(d)


def currency(c):
    """What NautilusTrader makes of a currency code it reads (XBT, or one it has never heard of)."""
    return {"code": c.code, "precision": c.precision, "type": currency_type_to_str(c.currency_type), "name": c.name}


def instruments(catalog):
    for i in catalog.instruments():
        d = type(i).to_dict(i)  # every field of the instrument class, already as text where it matters
        out = {k: (text(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) and not k.endswith("precision") else v)
               for k, v in d.items() if k != "type"}
        # NautilusTrader's own reading of it: the class of contract, and the currencies PnL and costs are in
        out["nt"] = {
            "instrument_class": instrument_class_to_str(i.instrument_class),
            "is_inverse": i.is_inverse,
            "base": currency(i.get_base_currency()) if i.get_base_currency() else None,
            "quote": currency(i.quote_currency),
            "settlement": currency(i.get_settlement_currency()),
            "cost": currency(i.get_cost_currency()),
            "activation_utc": str(i.activation_utc) if hasattr(i, "activation_utc") else None,
            "expiration_utc": str(i.expiration_utc) if hasattr(i, "expiration_utc") else None,
        }
        yield type(i).__name__, out


# One entry per data type; the order is the order of the output.
KINDS = [instruments, trades, quotes, bars, marks, fundings, deltas, depths]


def main(paths):
    for path in paths:
        catalog = ParquetDataCatalog(path)
        for kind in KINDS:
            for name, fields in kind(catalog):
                sys.stdout.write(json.dumps({"catalog": path, "type": name, **fields}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: nt_check.py CATALOG [CATALOG ...]")
    try:
        main(sys.argv[1:])
    except Exception as e:  # noqa: BLE001 - the node side shows NautilusTrader's own message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.write(f"nt_check: {type(e).__name__}: {e}\n")
        sys.exit(1)
