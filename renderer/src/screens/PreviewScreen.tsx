// Step 2: the first rows of each file as they are, with the delimiter, header row and timestamp
// unit the engine detected, each of which can be changed.
import { useMemo } from 'react';
import type { FileOptions } from '../../../shared/api.js';
import { DELIMITERS, compressionLabel, typesInUse } from '../logic/files.js';
import { formatBytes, formatCount } from '../logic/format.js';
import { Empty, Pill, ScreenHeader, StepNav, TypeTabs } from '../components/common.js';
import { VirtualTable, type VCol } from '../components/VirtualTable.js';
import { LocaleProposal } from '../components/LocaleOptions.js';
import { DATE_LABEL } from '../logic/locale.js';
import { useApp } from '../store/context.js';
import { isAddedRow, mappingSkipped } from '../logic/books.js';
import { previewFile } from '../store/preview.js';

const UNITS: { value: NonNullable<FileOptions['timestampUnit']>; label: string }[] = [
  { value: 's', label: 'seconds' },
  { value: 'ms', label: 'milliseconds' },
  { value: 'us', label: 'microseconds' },
  { value: 'ns', label: 'nanoseconds' },
];

export function StatusCell({ status, reason, field }: { status: string; reason?: string; field?: string }) {
  // An ok row with a reason is one the engine added (a CLEAR before a book snapshot): said so, the
  // reason on hover and under the table (a wide status column would push the book's columns away).
  if (status === 'ok' && reason) return <Pill tone="active" title={reason}>added</Pill>;
  if (status === 'ok') return <Pill tone="ok">ok</Pill>;
  const label = status === 'rejected' ? 'rejected' : status;
  return (
    <span className="status-cell">
      <Pill tone={status === 'rejected' ? 'error' : 'warn'}>{label}</Pill>
      {reason && <span className="reason">{field ? `${field}: ` : ''}{reason}</span>}
    </span>
  );
}

function OptionsBar() {
  const files = useApp((s) => s.files);
  const selectedPath = useApp((s) => s.selectedPath);
  const preview = useApp((s) => s.preview.result);
  const setOptions = useApp((s) => s.setFileOptions);
  const f = files.find((x) => x.info.path === selectedPath);
  if (!f) return null;
  const o = f.options;
  const detectedUnit = preview?.file.path === f.info.path ? preview.timestampUnit : null;
  return (
    <div className="options-bar" aria-label="File options">
      <label className="field-inline">
        <span>Delimiter</span>
        <select
          className="input"
          value={o.delimiter ?? ''}
          onChange={(e) => setOptions(f.info.path, { delimiter: e.target.value || undefined })}
        >
          <option value="">Detected: {DELIMITERS.find((d) => d.value === f.info.delimiter)?.label ?? f.info.delimiter}</option>
          {DELIMITERS.map((d) => <option key={d.value} value={d.value}>{d.label}</option>)}
        </select>
      </label>
      <label className="field-inline">
        <span>Header row</span>
        <select
          className="input"
          value={o.hasHeader === undefined ? '' : o.hasHeader ? 'yes' : 'no'}
          onChange={(e) => setOptions(f.info.path, { hasHeader: e.target.value === '' ? undefined : e.target.value === 'yes' })}
        >
          <option value="">Detected: {f.info.hasHeader ? 'first row is a header' : 'no header'}</option>
          <option value="yes">First row is a header</option>
          <option value="no">No header row</option>
        </select>
      </label>
      <label className="field-inline">
        <span>Timestamp unit</span>
        <select
          className="input"
          value={o.timestampUnit ?? ''}
          onChange={(e) => setOptions(f.info.path, { timestampUnit: (e.target.value || undefined) as FileOptions['timestampUnit'], ...(e.target.value ? { dateFormat: undefined } : {}) })}
        >
          <option value="">Detected{detectedUnit ? `: ${UNITS.find((u) => u.value === detectedUnit)?.label ?? detectedUnit}` : ' per file'}</option>
          {UNITS.map((u) => <option key={u.value} value={u.value}>{u.label}</option>)}
        </select>
      </label>
      <label className="field-inline">
        <span>Decimal separator</span>
        <select className="input" value={o.decimal ?? ''} onChange={(e) => setOptions(f.info.path, { decimal: (e.target.value || undefined) as FileOptions['decimal'] })}>
          <option value="">Point (42000.5)</option>
          <option value=",">Comma (42000,5)</option>
        </select>
      </label>
      <label className="field-inline">
        <span>Dates</span>
        <select
          className="input"
          value={o.dateFormat ?? ''}
          // Dates and a Unix unit exclude each other: a chosen date order clears the unit.
          onChange={(e) => setOptions(f.info.path, { dateFormat: (e.target.value || undefined) as FileOptions['dateFormat'], ...(e.target.value ? { timestampUnit: undefined } : {}) })}
        >
          <option value="">Unix or ISO 8601 (2024-01-31)</option>
          {(Object.keys(DATE_LABEL) as NonNullable<FileOptions['dateFormat']>[]).map((k) => <option key={k} value={k}>{DATE_LABEL[k]}</option>)}
        </select>
      </label>
    </div>
  );
}

/** The files to look at for the type; `typedOnly`: only those used for it (the mapping's). */
export function FilePicker({ typedOnly = false }: { typedOnly?: boolean }) {
  const files = useApp((s) => s.files);
  const shown = useApp((s) => previewFile(s)?.info.path);
  const t = useApp((s) => s.previewType);
  const select = useApp((s) => s.selectFile);
  const good = files.filter((f) => !f.info.error && ((!typedOnly && !f.types.length) || f.types.includes(t)));
  if (good.length <= 1) return null;
  return (
    <label className="field-inline">
      <span>File</span>
      <select className="input" value={shown ?? ''} onChange={(e) => select(e.target.value)} aria-label="File to preview">
        {good.map((f) => <option key={f.info.path} value={f.info.path}>{f.info.name}</option>)}
      </select>
    </label>
  );
}

export function PreviewScreen() {
  const files = useApp((s) => s.files);
  const preview = useApp((s) => s.preview);
  const t = useApp((s) => s.previewType);
  const setType = useApp((s) => s.setPreviewType);
  const source = useApp((s) => s.source);
  // Known order-book layouts have nothing to map: the mapping step is skipped.
  const toMapping = source === 'csv' && !mappingSkipped(files);
  const r = preview.result;
  // The file's lines, each once: the rows the engine adds (a CLEAR before a snapshot) are no line of it.
  const lines = useMemo(() => r?.rows.filter((row) => !isAddedRow(row)) ?? [], [r]);
  const types = typesInUse(files);
  const cols: VCol[] = [
    { key: '#', label: 'Line', width: '64px', min: 64, className: 'num muted' },
    ...(r?.file.columns ?? []).map((c, i) => ({ key: `c${i}`, label: c, width: 'minmax(120px, 1fr)', min: 120, className: 'mono' })),
  ];
  return (
    <div className="screen">
      <ScreenHeader title="Live preview">The first 100 rows, read from the start of the file only. Check that the columns split correctly.</ScreenHeader>
      <div className="toolbar">
        <FilePicker />
        <TypeTabs types={types} value={t} onChange={setType} label="Data type" />
      </div>
      <OptionsBar />
      <LocaleProposal />
      {r && (
        <div className="file-facts" aria-live="polite">
          <span><strong>{r.file.name}</strong></span>
          <span>{r.file.label}</span>
          <span>{compressionLabel(r.file.compression)}</span>
          <span>{formatBytes(r.file.size)}</span>
          <span>~{formatCount(r.file.rowEstimate)} rows</span>
          <span>{r.file.columns.length} columns</span>
          {preview.loading && <span className="muted">updating…</span>}
        </div>
      )}
      {preview.error && <div className="alert alert-error" role="alert">{preview.error}</div>}
      {r ? (
        <VirtualTable
          label="Raw rows"
          testId="raw-preview"
          columns={cols}
          rowCount={lines.length}
          cell={(row, ci) => (ci === 0 ? lines[row]!.line : lines[row]!.cells[ci - 1] ?? '')}
          height={460}
        />
      ) : preview.loading ? <Empty>Reading the first rows…</Empty> : <Empty>Select a file to preview.</Empty>}
      <StepNav back="source" next={toMapping ? 'mapping' : 'job'} nextLabel={toMapping ? 'Next: map columns →' : source === 'csv' ? 'Next: job → (known layout: nothing to map)' : 'Next: job →'} />
    </div>
  );
}
