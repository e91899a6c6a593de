// What every step of a build job (engine/jobs/build.ts) reads and adds to, and how it words a failure.
import type { DataType, SettledJobSpec } from '../../shared/job.js';
import type { ProgressEvent } from '../../shared/progress.js';
import type { DayReport, FileReport } from '../../shared/report.js';
import { errnoText } from '../catalog/atomic.js';
import type { Resolved } from '../instruments/resolve.js';
import { DATA_TYPE_MODULES } from '../datatypes/index.js';
import type { FixedMode } from '../numbers/fixed.js';
import type { RejectSink } from '../normalize/rejects.js';
import { OutputError, type DaySink } from './daysink.js';

export const TYPE_ORDER: DataType[] = DATA_TYPE_MODULES.map((m) => m.type);
/** the renames of an all-or-nothing commit, in the state folder while it is under way (owned.ts) */
export const COMMIT_JOURNAL = 'commit.json';

/** One build job: its settings and folders, and what its steps report (in the order they add it). */
export interface JobContext {
  /** the job, its symbol and exchange settled (engine/jobs/identity.ts) */
  spec: SettledJobSpec;
  emit: (e: ProgressEvent) => void;
  signal: AbortSignal | undefined;
  /** bytes of buffered rows before days spill to disk */
  bufferBudget: number | undefined;
  fm: FixedMode;
  out: string;
  stateDir: string;
  tmpDir: string;
  configDir: string;
  days: string[];
  startDay: number;
  rejects: RejectSink;
  notes: string[];
  errors: string[];
  /** inputs (by label) whose rows are read under another symbol than the job's (identity.ts) */
  rowSymbols: Map<string, string>;
  files: FileReport[];
  dayReports: DayReport[];
  instrument: Resolved | null;
  instrumentFile: string | undefined;
  /** our instrument files of the same id under another class, removed when this job's lands */
  supersededInstruments: string[];
  /** a commit journal still needs the job's temporary files */
  keepTmp: boolean;
  // Days of the data types opened so far; on any exit they release their writers and temp files.
  openSinks: DaySink[];
}

export function errText(e: unknown): string {
  // A day's file failed to write while reading: the cause is what the user needs (the caller names the file).
  if (e instanceof OutputError) return errText(e.cause);
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const known = errnoText(e);
    if (known) return known;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message)) return 'compressed data is truncated (unexpected end of file)';
    if (code === 'Z_DATA_ERROR') return `compressed data is corrupt (${e.message})`;
    if (code === 'ENOTDIR') return `not a folder: ${(e as NodeJS.ErrnoException).path ?? e.message}`;
    return e.message;
  }
  return String(e);
}
