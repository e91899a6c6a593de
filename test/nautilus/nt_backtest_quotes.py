"""Runs a NautilusTrader BacktestNode over the quotes of a catalog and prints what the strategy saw.

Usage: python nt_backtest_quotes.py CATALOG INSTRUMENT_ID

One BacktestDataConfig for QuoteTick, the instrument from the catalog, a BINANCE margin account
with USDT. The strategy subscribes to quote ticks and records every one it is handed.
Output (one JSON object): {"quotes": [[ts_init, bid_price, ask_price, bid_size, ask_size], ...],
"iterations"}. A failure goes to stderr with a non-zero exit.
"""

from __future__ import annotations

import json
import sys
import traceback

from nautilus_trader.backtest.config import BacktestDataConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.trading.strategy import Strategy

from nt_node import run_node


class QuoteCountingConfig(StrategyConfig, frozen=True):
    instrument_id: str


class QuoteCountingStrategy(Strategy):
    """Records every quote tick it receives."""

    def __init__(self, config: QuoteCountingConfig) -> None:
        super().__init__(config)
        self.instrument_id = InstrumentId.from_str(config.instrument_id)
        self.seen = []

    def on_start(self) -> None:
        self.subscribe_quote_ticks(self.instrument_id)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.seen.append([str(tick.ts_init), str(tick.bid_price), str(tick.ask_price), str(tick.bid_size), str(tick.ask_size)])


def main(catalog: str, instrument_id: str) -> dict:
    data = [BacktestDataConfig(catalog_path=catalog, data_cls=QuoteTick, instrument_id=InstrumentId.from_str(instrument_id))]
    _, s, result = run_node(data, InstrumentId.from_str(instrument_id).venue.value, "nt_backtest_quotes:QuoteCountingStrategy", {"instrument_id": instrument_id})
    return {"quotes": s.seen, "iterations": result.iterations}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: nt_backtest_quotes.py CATALOG INSTRUMENT_ID")
    try:
        sys.stdout.write(json.dumps(main(sys.argv[1], sys.argv[2])) + "\n")
    except Exception as e:  # noqa: BLE001 - the node side shows NautilusTrader's own message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.write(f"nt_backtest_quotes: {type(e).__name__}: {e}\n")
        sys.exit(1)
