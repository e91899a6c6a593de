// One entry point per source kind: read a file of that source and hand its rows to the normalizer.
import type { DataType, FileConfig, SourceKind } from '../../shared/job.js';
import type { Normalizer } from '../normalize/normalizer.js';
import { readCsvFile, type ReadHooks } from './csv/index.js';
import type { Compression } from './io/open.js';
import { readTardisFile } from './tardis/index.js';
import { readWebsocketFile } from './websocket/index.js';

export interface FileResult {
  format: string;
  label: string;
  compression: Compression;
  notes: string[];
}

export type FileReader = (path: string, type: DataType, cfg: FileConfig | undefined, norm: Normalizer, hooks: ReadHooks) => Promise<FileResult>;

export const READERS: Partial<Record<SourceKind, FileReader>> = {
  csv: readCsvFile,
  websocket: readWebsocketFile,
  // Files tardisFiles() downloaded into the cache: dataset CSVs or replay day files.
  tardis: readTardisFile,
};

export function readerFor(kind: SourceKind): FileReader {
  const r = READERS[kind];
  if (!r) throw new Error(`source "${kind}" is not available`);
  return r;
}

export type { ReadHooks };
