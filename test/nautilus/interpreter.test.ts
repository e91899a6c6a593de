// The NautilusTrader suite runs against the pinned release, never whatever happens to be installed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NAUTILUS_VERSION, needNautilus, runPython } from '../support/nautilus.js';

test('the NautilusTrader interpreter is the pinned release on Python >= 3.12', (t) => {
  if (!needNautilus(t)) return;
  const out = runPython(['-c', 'import sys, nautilus_trader; print(nautilus_trader.__version__, sys.version_info >= (3, 12))']);
  assert.equal(out.trim(), `${NAUTILUS_VERSION} True`);
});
