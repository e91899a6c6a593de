#!/usr/bin/env bash
# Makes .venv-nautilus/ (Python >= 3.12 with the pinned NautilusTrader) for the NautilusTrader test
# suite, and prints the interpreter's path. Idempotent: a venv that already has the pins is kept.
# The base interpreter: $NAUTILUS_BASE_PYTHON, else python3.13/python3.12 on PATH, else pyenv's.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-nautilus
req=scripts/nautilus-requirements.txt

ok_version() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_base() {
  local c
  for c in "${NAUTILUS_BASE_PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null && ok_version "$(command -v "$c")" && { command -v "$c"; return; }
  done
  if command -v pyenv >/dev/null || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
    for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
      [ -x "$c" ] && ok_version "$c" && { echo "$c"; return; }
    done
  fi
  return 1
}

if [ -x "$venv/bin/python" ] && cmp -s "$req" "$venv/.requirements" 2>/dev/null; then
  echo "$PWD/$venv/bin/python"; exit 0
fi
base=$(find_base) || { echo "setup-nautilus: no Python >= 3.12 found (set NAUTILUS_BASE_PYTHON)" >&2; exit 1; }
echo "setup-nautilus: making $venv with $base" >&2
rm -rf "$venv"
"$base" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2
cp "$req" "$venv/.requirements"
echo "$PWD/$venv/bin/python"
