"""Runs one NautilusTrader BacktestNode over a catalog of several instruments (several venues) and
prints what happened as one JSON object: a round trip per instrument, each a market buy on one
trade and a market sell on a later one.

Usage: python nt_kinds.py CATALOG PLAN_JSON

PLAN_JSON: {"venues": [{"name", "account_type", "starting_balances": ["10 XBT", ...]}],
            "legs": [{"instrument_id", "qty", "buy_on": k, "sell_on": m}]}
where k and m count the instrument's trades from 0 (the orders go in on that trade). Every venue
is NETTING with no base currency (multi-currency accounts: XBT at BitMEX, USDT and BTC at Binance).

Output: {"iterations", "trades": {id: n}, "fills": {id: [{"price", "qty", "side", "commission"}]},
"refused": [...order denied/rejected reasons...], "positions": [{"instrument_id", "realized_pnl",
"commissions", "is_closed", "avg_px_open", "avg_px_close", "peak_qty"}], "balances": {venue: [...]}}.
A failure goes to stderr with a non-zero exit.
"""

from __future__ import annotations

import json
import sys
import traceback

from nautilus_trader.backtest.config import BacktestDataConfig, BacktestVenueConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import TradeTick
from nautilus_trader.model.enums import OrderSide
from nautilus_trader.model.identifiers import InstrumentId, Venue
from nautilus_trader.model.objects import Quantity
from nautilus_trader.trading.strategy import Strategy

from nt_node import run_node


class RoundTripConfig(StrategyConfig, frozen=True):
    legs: str  # the plan's legs as JSON (a config holds plain values)


class RoundTripStrategy(Strategy):
    """Per leg: a market buy of `qty` on trade `buy_on`, a market sell of it on trade `sell_on`."""

    def __init__(self, config: RoundTripConfig) -> None:
        super().__init__(config)
        self.legs = {InstrumentId.from_str(leg["instrument_id"]): leg for leg in json.loads(config.legs)}
        self.seen = {str(i): 0 for i in self.legs}
        self.fills = {str(i): [] for i in self.legs}
        self.refused = []

    def on_start(self) -> None:
        for instrument_id in self.legs:
            self.subscribe_trade_ticks(instrument_id)

    def on_trade_tick(self, tick: TradeTick) -> None:
        key = str(tick.instrument_id)
        n = self.seen[key]
        self.seen[key] = n + 1
        leg = self.legs[tick.instrument_id]
        side = OrderSide.BUY if n == leg["buy_on"] else OrderSide.SELL if n == leg["sell_on"] else None
        if side is not None:
            qty = Quantity.from_str(leg["qty"])
            self.submit_order(self.order_factory.market(tick.instrument_id, side, qty))

    def on_order_filled(self, event) -> None:
        self.fills[str(event.instrument_id)].append(
            {"price": str(event.last_px), "qty": str(event.last_qty), "side": event.order_side, "commission": str(event.commission)},
        )

    def on_order_denied(self, event) -> None:
        self.refused.append(f"denied {event.client_order_id}: {event.reason}")

    def on_order_rejected(self, event) -> None:
        self.refused.append(f"rejected {event.client_order_id}: {event.reason}")


def main(catalog: str, plan: dict) -> dict:
    data = [
        BacktestDataConfig(catalog_path=catalog, data_cls=TradeTick, instrument_id=InstrumentId.from_str(leg["instrument_id"]))
        for leg in plan["legs"]
    ]
    venues = [
        BacktestVenueConfig(name=v["name"], oms_type="NETTING", account_type=v["account_type"], base_currency=None, starting_balances=v["starting_balances"])
        for v in plan["venues"]
    ]
    engine_obj, s, result = run_node(data, None, "nt_kinds:RoundTripStrategy", {"legs": json.dumps(plan["legs"])}, venues=venues)
    if result is None:
        raise RuntimeError("NautilusTrader stopped the run (its error is logged above)")
    balances = {}
    for v in plan["venues"]:
        account = engine_obj.cache.account_for_venue(Venue(v["name"]))
        if account is None:
            raise RuntimeError(f"no account at {v['name']}")
        balances[v["name"]] = sorted(str(b.total) for b in account.balances().values())
    return {
        "iterations": result.iterations,
        "trades": s.seen,
        "fills": s.fills,
        "refused": s.refused,
        "positions": [
            {
                "instrument_id": str(p.instrument_id),
                "realized_pnl": str(p.realized_pnl),
                "commissions": [str(c) for c in p.commissions()],
                "is_closed": p.is_closed,
                "avg_px_open": repr(p.avg_px_open),
                "avg_px_close": repr(p.avg_px_close),
                "peak_qty": str(p.peak_qty),
            }
            for p in engine_obj.cache.positions()
        ],
        "balances": balances,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: nt_kinds.py CATALOG PLAN_JSON")
    try:
        sys.stdout.write(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))) + "\n")
    except Exception as e:  # noqa: BLE001 - the node side shows NautilusTrader's own message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.write(f"nt_kinds: {type(e).__name__}: {e}\n")
        sys.exit(1)
