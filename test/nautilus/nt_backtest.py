"""Runs a NautilusTrader BacktestNode over a catalog and prints what the strategy saw as one JSON object.

Usage: python nt_backtest.py CATALOG INSTRUMENT_ID

One BacktestDataConfig per data type (TradeTick, MarkPriceUpdate, FundingRateUpdate), the
instrument from the catalog, a BINANCE margin account with USDT. The strategy subscribes to trades,
mark prices and funding rates, counts every event and submits one market order on the first trade.
Output: {"trades", "marks", "fundings", "fills": [{"price", "qty", "side"}], "first_last_ts_init"
of each type, "positions": [{"realized_pnl", "commissions", "adjustments"}]}. A failure goes to stderr with a non-zero exit.
"""

from __future__ import annotations

import json
import sys
import traceback

from nautilus_trader.backtest.config import BacktestDataConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import FundingRateUpdate, MarkPriceUpdate, TradeTick
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.identifiers import InstrumentId
from nautilus_trader.trading.strategy import Strategy

from nt_node import run_node


class CountingConfig(StrategyConfig, frozen=True):
    instrument_id: str


class CountingStrategy(Strategy):
    """Counts trades, mark prices and funding rates; buys the minimum quantity at market once."""

    def __init__(self, config: CountingConfig) -> None:
        super().__init__(config)
        self.instrument_id = InstrumentId.from_str(config.instrument_id)
        self.seen = {"trades": 0, "marks": 0, "fundings": 0}
        self.ts = {}
        self.fills = []
        self.ordered = False

    def on_start(self) -> None:
        self.subscribe_trade_ticks(self.instrument_id)
        self.subscribe_mark_prices(self.instrument_id)
        self.subscribe_funding_rates(self.instrument_id)

    def _count(self, kind: str, ts_init: int) -> None:
        self.seen[kind] += 1
        first, _ = self.ts.get(kind, (ts_init, ts_init))
        self.ts[kind] = (first, ts_init)

    def on_trade_tick(self, tick: TradeTick) -> None:
        self._count("trades", tick.ts_init)
        if not self.ordered:
            self.ordered = True
            instrument = self.cache.instrument(self.instrument_id)
            qty = instrument.min_quantity or instrument.make_qty(instrument.size_increment)
            self.submit_order(self.order_factory.market(self.instrument_id, OrderSide.BUY, qty))

    def on_mark_price(self, mark_price: MarkPriceUpdate) -> None:
        self._count("marks", mark_price.ts_init)

    def on_funding_rate(self, funding_rate: FundingRateUpdate) -> None:
        self._count("fundings", funding_rate.ts_init)

    def on_order_filled(self, event) -> None:
        self.fills.append({"price": str(event.last_px), "qty": str(event.last_qty), "side": event.order_side})


def main(catalog: str, instrument_id: str) -> dict:
    data = [
        BacktestDataConfig(catalog_path=catalog, data_cls=cls, instrument_id=InstrumentId.from_str(instrument_id))
        for cls in (TradeTick, MarkPriceUpdate, FundingRateUpdate)
    ]
    engine_obj, s, result = run_node(data, "BINANCE", "nt_backtest:CountingStrategy", {"instrument_id": instrument_id})
    return {
        **s.seen,
        "fills": s.fills,
        "first_last_ts_init": {k: [str(a), str(b)] for k, (a, b) in s.ts.items()},
        "iterations": result.iterations,
        "positions": [
            {
                "realized_pnl": str(p.realized_pnl),
                "commissions": [str(c) for c in p.commissions()],
                "adjustments": [str(a) for a in p.adjustments],
            }
            for p in engine_obj.cache.positions()
        ],
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: nt_backtest.py CATALOG INSTRUMENT_ID")
    try:
        sys.stdout.write(json.dumps(main(sys.argv[1], sys.argv[2])) + "\n")
    except Exception as e:  # noqa: BLE001 - the node side shows NautilusTrader's own message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.write(f"nt_backtest: {type(e).__name__}: {e}\n")
        sys.exit(1)
