"""The BacktestNode the backtest scripts share (nt_backtest.py, nt_backtest_quotes.py, nt_bars.py): one
run over a catalog with the given data configs, a NETTING margin account of 1,000,000 USDT at the
instrument's venue (or the given venue configs: nt_kinds.py runs several venues), and one strategy loaded
from its module (so the instance found afterwards is the module's class, not a copy under __main__).
Returns (engine, strategy, result or None); the engine is kept.
"""

from __future__ import annotations

from nautilus_trader.backtest.config import BacktestEngineConfig, BacktestRunConfig, BacktestVenueConfig
from nautilus_trader.backtest.node import BacktestNode
from nautilus_trader.config import ImportableStrategyConfig, LoggingConfig


def run_node(data: list, venue: str | None, strategy: str, config: dict, bar_execution: bool = True, venues: list | None = None):
    """`strategy` is "module:Class"; its config class is "module:ClassConfig" without "Strategy"."""
    module, cls = strategy.split(":")
    venues = venues or [BacktestVenueConfig(name=venue, oms_type="NETTING", account_type="MARGIN", starting_balances=["1000000 USDT"], bar_execution=bar_execution)]
    strat = ImportableStrategyConfig(strategy_path=strategy, config_path=f"{module}:{cls.replace('Strategy', 'Config')}", config=config)
    engine = BacktestEngineConfig(strategies=[strat], logging=LoggingConfig(log_level="ERROR"))
    node = BacktestNode(configs=[BacktestRunConfig(engine=engine, venues=venues, data=data, dispose_on_completion=False)])
    results = node.run()
    engine_obj = node.get_engine(node.configs[0].id)
    (s,) = engine_obj.trader.strategies()
    # a run NautilusTrader stops (it logs the error) gives no result: the strategy still says what it saw
    return engine_obj, s, results[0] if results else None
