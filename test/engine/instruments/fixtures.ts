// The instrument list fixtures (test/fixtures/instruments/README.md) and how the tests read one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers.js';
import { definitionsFromList, parseJsonKeepingNumbers, type InstrumentList } from '../../../engine/instruments/lists/index.js';

export const FIX = join(ROOT, 'test', 'fixtures', 'instruments');

export function readList(path: string): InstrumentList {
  return definitionsFromList(parseJsonKeepingNumbers(readFileSync(path, 'utf8')), path);
}
