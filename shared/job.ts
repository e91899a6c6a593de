// The job contract: what the CLI, the service and the renderer all agree a build job is.
import { z } from 'zod';

export const DATA_TYPES = ['trades', 'mark', 'funding'] as const;
export const DataType = z.enum(DATA_TYPES);
export type DataType = z.infer<typeof DataType>;

export const SOURCES = ['csv', 'websocket', 'tardis'] as const;
export const SourceKind = z.enum(SOURCES);
export type SourceKind = z.infer<typeof SourceKind>;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** Target fields a CSV column can be mapped onto (seed config names). */
export const MAPPING_FIELDS = [
  'timestamp', 'local_timestamp', 'price', 'size', 'aggressor_side', 'trade_id',
  'mark_price', 'funding_rate', 'next_funding_time', 'funding_interval',
] as const;
export const MappingField = z.enum(MAPPING_FIELDS);
export type MappingField = z.infer<typeof MappingField>;

export const FileConfig = z.object({
  file_path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** target field -> source column name (or 0-based index as a string for headerless files) */
  columns: z.record(z.string(), z.string()).optional(),
  /** force a timestamp unit instead of detecting it per file */
  timestamp_unit: z.enum(['s', 'ms', 'us', 'ns']).optional(),
  delimiter: z.string().length(1).optional(),
  has_header: z.boolean().optional(),
}).strict();
export type FileConfig = z.infer<typeof FileConfig>;

export const SourceConfig = z.object({
  base_path: z.string().optional(),
  files: z.object({
    trades: FileConfig.optional(),
    mark: FileConfig.optional(),
    funding: FileConfig.optional(),
  }).strict().default({}),
  api_key: z.string().optional(),
}).passthrough();
export type SourceConfig = z.infer<typeof SourceConfig>;

export const JobSpec = z.object({
  source: SourceKind,
  symbol: z.string().regex(/^[A-Za-z0-9_]{2,32}$/, 'symbol must be letters, digits or _ (e.g. BTCUSDT)'),
  exchange: z.string().regex(/^[A-Za-z0-9_]{2,32}$/).default('BINANCE'),
  start: isoDay,
  end: isoDay,
  output: z.string().min(1),
  dataTypes: z.array(DataType).min(1),
  precisionMode: z.union([z.literal(128), z.literal(64)]).default(128),
  pricePrecision: z.number().int().min(0).max(16).optional(),
  sizePrecision: z.number().int().min(0).max(16).optional(),
  overwrite: z.boolean().default(false),
  compression: z.enum(['zstd', 'snappy']).default('zstd'),
  rowGroupSize: z.number().int().min(1000).max(1_000_000).default(100_000),
  config: SourceConfig,
  /** folder the config's relative paths are resolved against */
  configDir: z.string().optional(),
}).superRefine((j, ctx) => {
  if (j.end < j.start) ctx.addIssue({ code: 'custom', message: `end ${j.end} is before start ${j.start}`, path: ['end'] });
});
export type JobSpec = z.infer<typeof JobSpec>;
export type JobSpecInput = z.input<typeof JobSpec>;
