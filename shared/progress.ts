// Progress events streamed from a running job (CLI bars, the app's per-day bars).
import { z } from 'zod';
import { DataType } from './job.js';

export const DayState = z.enum(['pending', 'reading', 'writing', 'done', 'skipped', 'failed']);
export type DayState = z.infer<typeof DayState>;

export const ProgressEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('job'), state: z.enum(['started', 'done', 'failed', 'cancelled']), message: z.string().optional() }),
  z.object({
    kind: z.literal('file'), dataType: DataType, instrument: z.string().optional(), path: z.string(), format: z.string().optional(),
    bytesRead: z.number(), bytesTotal: z.number(), rows: z.number(), rowsPerSec: z.number(), etaSec: z.number().nullable(),
    state: z.enum(['reading', 'done', 'failed']), error: z.string().optional(),
  }),
  z.object({
    kind: z.literal('day'), dataType: DataType, instrument: z.string().optional(), day: z.string(), state: DayState,
    rows: z.number(), written: z.number().optional(), fraction: z.number().min(0).max(1),
    rowsPerSec: z.number(), etaSec: z.number().nullable(), error: z.string().optional(), file: z.string().optional(),
  }),
  z.object({ kind: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);
export type ProgressEvent = z.infer<typeof ProgressEvent>;
