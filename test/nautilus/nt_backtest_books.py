"""Runs a NautilusTrader BacktestNode over the order-book deltas of a catalog and prints the books.

Usage: python nt_backtest_books.py CATALOG INSTRUMENT_ID

One BacktestDataConfig for OrderBookDelta, a venue with book_type L2_MBP. The strategy subscribes
to the deltas (L2_MBP) and, at the end of each event (a delta with F_LAST), records every level of
two books: NautilusTrader's own book in the cache (kept by its DataEngine) and a book the strategy
applies the deltas to itself (OrderBook.apply_deltas).
Output (one JSON object): {"events": [[ts_event, cache_book, own_book], ...], "deltas", "iterations"}
with a book as {"bids": [[price, size], ...] best first, "asks": [...]}, values as exact text.
"""

from __future__ import annotations

import json
import sys
import traceback

from nautilus_trader.backtest.config import BacktestDataConfig, BacktestVenueConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.book import OrderBook
from nautilus_trader.model.data import OrderBookDelta
from nautilus_trader.model.enums import BookType, RecordFlag
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.trading.strategy import Strategy

from nt_node import run_node


def levels(book):
    if book is None:
        return None

    def side(ls):
        out = []
        for level in ls:
            (order,) = level.orders()  # L2_MBP: one order a level
            out.append([str(order.price), str(order.size)])
        return out

    return {"bids": side(book.bids()), "asks": side(book.asks())}


class BookRecordingConfig(StrategyConfig, frozen=True):
    instrument_id: str


class BookRecordingStrategy(Strategy):
    """Records the books at the end of each event."""

    def __init__(self, config: BookRecordingConfig) -> None:
        super().__init__(config)
        self.instrument_id = InstrumentId.from_str(config.instrument_id)
        self.own = OrderBook(self.instrument_id, BookType.L2_MBP)
        self.events = []
        self.deltas = 0

    def on_start(self) -> None:
        self.subscribe_order_book_deltas(self.instrument_id, book_type=BookType.L2_MBP)

    def on_order_book_deltas(self, deltas) -> None:
        self.own.apply_deltas(deltas)
        self.deltas += len(deltas.deltas)
        last = deltas.deltas[-1]
        if last.flags & RecordFlag.F_LAST:
            self.events.append([str(last.ts_event), levels(self.cache.order_book(self.instrument_id)), levels(self.own)])


def main(catalog: str, instrument_id: str) -> dict:
    iid = InstrumentId.from_str(instrument_id)
    data = [BacktestDataConfig(catalog_path=catalog, data_cls=OrderBookDelta, instrument_id=iid)]
    venue = BacktestVenueConfig(name=iid.venue.value, oms_type="NETTING", account_type="MARGIN", starting_balances=["1000000 USDT"], book_type="L2_MBP")
    _, s, result = run_node(data, None, "nt_backtest_books:BookRecordingStrategy", {"instrument_id": instrument_id}, venues=[venue])
    return {"events": s.events, "deltas": s.deltas, "iterations": result.iterations if result else None}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: nt_backtest_books.py CATALOG INSTRUMENT_ID")
    try:
        sys.stdout.write(json.dumps(main(sys.argv[1], sys.argv[2])) + "\n")
    except Exception as e:  # noqa: BLE001 - the node side shows NautilusTrader's own message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.write(f"nt_backtest_books: {type(e).__name__}: {e}\n")
        sys.exit(1)
