// The engine's public face: the CLI, the service behind the app's Api, the browser-mode server and
// Electron import the engine only through this file (lint enforces it). Everything else under
// engine/ is internal and may change shape freely.
export { runBuild, JobCancelled, STATE_DIR } from './jobs/build.js';
export { TerminalProgress } from './jobs/terminal.js';
export { releaseLock } from './jobs/lock.js';
export { resolveFiles } from './jobs/files.js';
export { startJobWorker } from './jobs/entry.js';
export type { FromWorker, ToWorker } from './jobs/worker-protocol.js';
export { verifyCatalog, type VerifyResult } from './catalog/verify.js';
export { assertNoLinks, realPath, removeQuietly, writeFileAtomic } from './catalog/atomic.js';
export { incrementPrecision } from './instruments/definition.js';
export { presetTable } from './instruments/presets.js';
export { daysBetween, parseFileName, uriSafe } from './catalog/paths.js';
export { TYPE_FOLDER } from './datatypes/index.js';
export { TARDIS_DATA_TYPES } from './sources/tardis/index.js';
export { formatRaw } from './numbers/decimal.js';
export { mergeDay, type DayAcc } from './parquet/read-ops.js';
export { readDayStatsIsolated } from './parquet/read-pool.js';
export { inspectFiles, preview } from './preview.js';
