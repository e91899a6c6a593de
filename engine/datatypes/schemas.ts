// Transitional: engine/jobs/daysink.ts (being rewritten elsewhere) still imports blockFromBatch
// from here. Everything else takes its data type from the registry (index.ts); delete this file
// once that import moves.
import type * as A from 'apache-arrow';
import type { DataType } from '../../shared/job.js';
import type { Block } from '../blocks/block.js';
import type { FixedMode } from '../numbers/fixed.js';
import { dataTypeOf } from './index.js';

export function blockFromBatch(type: DataType, fm: FixedMode, batch: A.RecordBatch): Block {
  return dataTypeOf(type).fromBatch(fm, batch);
}
