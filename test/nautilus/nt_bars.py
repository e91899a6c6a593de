"""Bars through NautilusTrader's own code, for test/nautilus/bars.test.ts.

  backtest CATALOG BAR_TYPE [--no-bar-execution]
      A BacktestNode over the catalog's bars of BAR_TYPE (BacktestDataConfig with data_cls=Bar and
      bar_spec, the instrument from the catalog); the strategy subscribes to the bar type and
      records every bar it sees. Prints {"bars": n, "ts_event": [...], "closes": [...]}.
      --no-bar-execution: the venue does not match orders on bars (BacktestVenueConfig
      bar_execution=False); NautilusTrader's OrderMatchingEngine.process_bar refuses MARK bars
      ("invalid `PriceType`, was 5"), so a backtest over MARK bars needs it.
  wrangle CATALOG BAR_TYPE BARS_JSONL
      BarDataWrangler over a DataFrame of the given bars (one JSON object a line: open, high, low,
      close, volume as text, ts_event ns as text; index = ts_event), with the catalog's instrument,
      then ParquetDataCatalog(CATALOG).write_data: NautilusTrader's own bar catalog.
A failure goes to stderr with a non-zero exit.
"""

from __future__ import annotations

import json
import sys
import traceback

from nautilus_trader.backtest.config import BacktestDataConfig
from nautilus_trader.config import StrategyConfig
from nautilus_trader.model.data import Bar, BarType
from nautilus_trader.persistence.catalog import ParquetDataCatalog
from nautilus_trader.trading.strategy import Strategy

from nt_node import run_node


class BarCountingConfig(StrategyConfig, frozen=True):
    bar_type: str


class BarCountingStrategy(Strategy):
    """Subscribes to one bar type and keeps every bar's ts_event and close."""

    def __init__(self, config: BarCountingConfig) -> None:
        super().__init__(config)
        self.bar_type = BarType.from_str(config.bar_type)
        self.ts_event = []
        self.closes = []

    def on_start(self) -> None:
        self.subscribe_bars(self.bar_type)

    def on_bar(self, bar: Bar) -> None:
        self.ts_event.append(str(bar.ts_event))
        self.closes.append(str(bar.close))


def backtest(catalog: str, bar_type: str, *flags: str) -> dict:
    bt = BarType.from_str(bar_type)
    spec = str(bt.spec)  # e.g. 1-MINUTE-LAST
    data = [BacktestDataConfig(catalog_path=catalog, data_cls=Bar, instrument_id=bt.instrument_id, bar_spec=spec)]
    _, s, _ = run_node(data, bt.instrument_id.venue.value, "nt_bars:BarCountingStrategy", {"bar_type": bar_type}, bar_execution="--no-bar-execution" not in flags)
    return {"bars": len(s.ts_event), "ts_event": s.ts_event, "closes": s.closes}


def wrangle(catalog: str, bar_type: str, bars_jsonl: str) -> dict:
    import pandas as pd
    from nautilus_trader.persistence.wranglers import BarDataWrangler

    cat = ParquetDataCatalog(catalog)
    bt = BarType.from_str(bar_type)
    (instrument,) = [i for i in cat.instruments() if i.id == bt.instrument_id]
    rows = [json.loads(line) for line in open(bars_jsonl) if line.strip()]
    df = pd.DataFrame(
        {k: [float(r[k]) for r in rows] for k in ("open", "high", "low", "close", "volume")},
        index=pd.to_datetime([int(r["ts_event"]) for r in rows], unit="ns", utc=True),
    )
    df.index.name = "timestamp"
    wrangler = BarDataWrangler(bt, instrument)
    try:
        bars = wrangler.process(df)
    except ValueError as e:
        # NautilusTrader 1.231's process() hands pandas 3's read-only `data.values` to a typed memoryview
        # ("buffer source array is read-only"). The same steps as process(), with a writable copy.
        if "read-only" not in str(e):
            raise
        from nautilus_trader.persistence.wranglers import prepare_event_and_init_timestamps

        ts_events, ts_inits = prepare_event_and_init_timestamps(df.index, 0)
        bars = list(map(wrangler._build_bar, df.to_numpy(copy=True), ts_events, ts_inits))
    cat.write_data(bars)
    return {"bars": len(bars)}


if __name__ == "__main__":
    try:
        cmd, *args = sys.argv[1:]
        out = backtest(*args) if cmd == "backtest" else wrangle(*args) if cmd == "wrangle" else sys.exit(f"unknown command {cmd}")
        sys.stdout.write(json.dumps(out) + "\n")
    except Exception as e:  # noqa: BLE001 - the node side shows NautilusTrader's own message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.write(f"nt_bars: {type(e).__name__}: {e}\n")
        sys.exit(1)
