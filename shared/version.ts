// The NautilusTrader release whose catalogs we write and whose loader judges them in CI (the
// venv of scripts/setup-nautilus.sh pins the same one).
export const NAUTILUS_VERSION = '1.231.0';
