// Step 3: drag file columns onto the target fields (or select a column and press Enter on a field);
// the preview below shows the normalised values and the rows that would be rejected, live.
import { useEffect, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { REQUIRED_FIELDS, type MappingField } from '../../../shared/job.js';
import { typesInUse } from '../logic/files.js';
import { FIELDS_FOR, layoutGroups } from '../logic/job.js';
import * as M from '../logic/mapping.js';
import { TYPE_LABELS } from '../logic/dataTypes.js';
import { Empty, Pill, ScreenHeader, StepNav, TypeTabs } from '../components/common.js';
import { VirtualTable, type VCol } from '../components/VirtualTable.js';
import { useApp } from '../store/context.js';
import { previewFile, previewIsCurrent, shownMapping, shownMappingKey } from '../store/preview.js';
import { FilePicker, StatusCell } from './PreviewScreen.js';
import { LocaleProposal, SideValues } from '../components/LocaleOptions.js';
import { filterRows, type RowFilter } from '../logic/locale.js';
import { foldLevels, isAddedRow, levelsText, mappedKeys } from '../logic/books.js';

const COLUMN_MIME = 'application/x-catalog-column';
const FIELD_MIME = 'application/x-catalog-field';

/** Which normalised value a field becomes. */
const KEY_OF_FIELD: Partial<Record<MappingField, string>> = { timestamp: 'ts_event', local_timestamp: 'ts_init' };

const MAPPED_LABELS: Record<string, string> = {
  ts_init: 'ts_init (UTC)', ts_event: 'ts_event (UTC)', price: 'price', size: 'size', aggressor_side: 'aggressor side', trade_id: 'trade id',
  mark_price: 'mark price', funding_rate: 'funding rate', next_funding_time: 'next funding (UTC)', funding_interval: 'interval',
  // Depth 10: the top three levels a side, each "size @ price" (said under the table); the levels each side holds.
  bid_0: 'bid 0', bid_1: 'bid 1', bid_2: 'bid 2', ask_0: 'ask 0', ask_1: 'ask 1', ask_2: 'ask 2', levels: 'levels',
};

/** The file's columns to drag; `folded`: a line standing for columns no field takes (depth 10's levels, read by name). */
function ColumnList({ columns, sample, mapping, folded }: { columns: string[]; sample: string[]; mapping: M.MappingState; folded?: string | null }) {
  const selected = useApp((s) => s.selectedColumn);
  const select = useApp((s) => s.selectColumn);
  return (
    <section className="pane" aria-labelledby="cols-title">
      <h2 id="cols-title">File columns</h2>
      <p className="muted small">Drag a column onto a field. Or click it (or press Enter), then press Enter on a field.</p>
      <ul className="col-list" aria-label="File columns">
        {columns.map((c, i) => {
          const used = M.fieldsOf(mapping.columns, c);
          return (
            <li key={c}>
              <button
                type="button"
                className={`col-chip${selected === c ? ' selected' : ''}${used.length ? ' used' : ''}`}
                draggable
                aria-pressed={selected === c}
                data-column={c}
                onClick={() => select(c)}
                onDragStart={(e) => {
                  e.dataTransfer.setData(COLUMN_MIME, c);
                  e.dataTransfer.setData('text/plain', c);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
              >
                <span className="grip" aria-hidden="true">⠿</span>
                <span className="col-name mono">{c}</span>
                <span className="col-sample mono" title={sample[i]}>{sample[i] ?? ''}</span>
                {used.length > 0 && <span className="col-used">→ {used.map((f) => M.FIELD_LABELS[f]).join(', ')}</span>}
              </button>
            </li>
          );
        })}
        {folded && <li className="col-folded small muted" data-testid="levels-folded">{folded}</li>}
      </ul>
    </section>
  );
}

/** A drag carries a column from the list, or a field's column from another field. */
function isMappingDrag(e: DragEvent): boolean {
  const types = Array.from(e.dataTransfer.types);
  return types.includes(COLUMN_MIME) || types.includes(FIELD_MIME);
}

/** Drop handling for a field: a column is assigned, another field's column is moved here. */
function useFieldDrop(field: MappingField) {
  const assign = useApp((s) => s.assign);
  const moveField = useApp((s) => s.moveField);
  const [over, setOver] = useState(false);
  const onDragOver = (e: DragEvent) => {
    if (!isMappingDrag(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = Array.from(e.dataTransfer.types).includes(FIELD_MIME) ? 'move' : 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent) => {
    if (!isMappingDrag(e)) return;
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const from = e.dataTransfer.getData(FIELD_MIME) as MappingField;
    if (from) moveField(from, field);
    else {
      const c = e.dataTransfer.getData(COLUMN_MIME);
      if (c) assign(field, c);
    }
  };
  return { over, onDragOver, onDragLeave: () => setOver(false), onDrop };
}

/** The column a field has, dragged to move it to another field. */
function AssignedChip({ field, col, sample }: { field: MappingField; col: string; sample: string }) {
  const unassign = useApp((s) => s.unassign);
  return (
    <span
      className="assigned-chip"
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(FIELD_MIME, field);
        e.dataTransfer.setData('text/plain', col);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <span className="mono">{col}</span>
      <span className="col-sample mono">{sample}</span>
      <button type="button" className="chip-x" onClick={() => unassign(field)} aria-label={`Clear ${M.FIELD_LABELS[field]}`} tabIndex={-1}>✕</button>
    </span>
  );
}

function FieldDrop({ field, required, mapping, sampleOf }: { field: MappingField; required: boolean; mapping: M.MappingState; sampleOf: (c: string) => string }) {
  const selected = useApp((s) => s.selectedColumn);
  const assignSelected = useApp((s) => s.assignSelected);
  const col = mapping.columns[field];
  const cert = M.certainty(mapping, field);
  return (
    <div className="field-drop">
      <RunnerUps field={field} />
      {col ? (
        <AssignedChip field={field} col={col} sample={sampleOf(col)} />
      ) : (
        <span className="drop-hint">{required ? 'Drop the column here' : 'Drop a column here'}</span>
      )}
      {cert !== 'none' && <span className={`cert cert-${cert}`}>{M.certaintyLabel(mapping, field)}</span>}
      {selected && selected !== col && (
        <button type="button" className="btn small assign-btn" onClick={() => assignSelected(field)} tabIndex={-1}>
          Assign “{selected}”
        </button>
      )}
    </div>
  );
}

/** The other columns the field could be (the engine's runner-ups), one click from assigning. */
function RunnerUps({ field }: { field: MappingField }) {
  const alts = useApp((s) => (previewIsCurrent(s) ? s.preview.result?.alternatives?.[field] : undefined));
  const assign = useApp((s) => s.assign);
  if (!alts?.length) return null;
  return (
    <span className="runner-ups small muted" data-testid={`runner-ups-${field}`}>
      or:{' '}
      {alts.map((a) => (
        <button key={a.column} type="button" className="btn ghost small runner-up" tabIndex={-1} onClick={() => assign(field, a.column)} title={`Map column ${a.column} here`}>
          {a.column} <span className="muted">({Math.round(a.confidence * 100)}%)</span>
        </button>
      ))}
    </span>
  );
}

function FieldSlot({ field, required, mapping, sampleOf }: { field: MappingField; required: boolean; mapping: M.MappingState; sampleOf: (c: string) => string }) {
  const t = useApp((s) => s.previewType);
  const selected = useApp((s) => s.selectedColumn);
  const assignSelected = useApp((s) => s.assignSelected);
  const unassign = useApp((s) => s.unassign);
  const { over, ...drop } = useFieldDrop(field);
  const col = mapping.columns[field];

  const onKey = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return;
    if ((e.key === 'Enter' || e.key === ' ') && selected) {
      e.preventDefault();
      assignSelected(field);
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && col) {
      e.preventDefault();
      unassign(field);
    }
  };

  return (
    <li
      className={`field-slot${over ? ' over' : ''}${col ? ' filled' : ''}${required && !col ? ' missing' : ''}`}
      tabIndex={0}
      data-field={field}
      aria-label={M.slotLabel(field, required, col, selected)}
      {...drop}
      onKeyDown={onKey}
    >
      <div className="field-info">
        <div className="field-head">
          <span className="field-label">{M.FIELD_LABELS[field]}</span>
          {required ? <Pill tone="neutral">required</Pill> : <span className="muted small">optional</span>}
        </div>
        <div className="field-hint muted small">{M.fieldHint(t, field)}</div>
      </div>
      <FieldDrop field={field} required={required} mapping={mapping} sampleOf={sampleOf} />
      {field === 'aggressor_side' && col && <SideValues />}
    </li>
  );
}

function Templates() {
  const templates = useApp((s) => s.templates);
  const t = useApp((s) => s.previewType);
  const save = useApp((s) => s.saveTemplate);
  const apply = useApp((s) => s.applyTemplate);
  const del = useApp((s) => s.deleteTemplate);
  const [pick, setPick] = useState('');
  const [name, setName] = useState('');
  const mine = templates.filter((x) => x.dataType === t);
  const current = mine.find((x) => x.name === pick) ? pick : mine[0]?.name ?? '';
  // Said for the mapping it was applied to only (another file or type shown: not its verdict).
  const note = useApp((s) => (s.templateNote && s.templateNote.key === shownMappingKey(s) ? s.templateNote : null));
  return (
    <div className="templates">
      {note && <div className={`alert alert-${note.tone === 'ok' ? 'ok' : note.tone === 'warn' ? 'warn' : 'error'} template-note`} role={note.tone === 'error' ? 'alert' : 'status'} data-testid="template-note">{note.text}</div>}
      <div className="input-row">
        <select className="input" aria-label="Saved templates" value={current} onChange={(e) => setPick(e.target.value)} disabled={!mine.length}>
          {mine.length ? mine.map((x) => <option key={x.name} value={x.name}>{x.name}</option>) : <option value="">No templates yet</option>}
        </select>
        <button type="button" className="btn" disabled={!current} onClick={() => apply(current)}>Apply</button>
        <button type="button" className="btn ghost" disabled={!current} onClick={() => void del(current)} aria-label={`Delete template ${current}`}>Delete</button>
      </div>
      <form
        className="input-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return;
          void save(name).then(() => setName(''));
        }}
      >
        <input className="input" placeholder="Template name" aria-label="Template name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="btn" disabled={!name.trim()}>Save mapping</button>
      </form>
    </div>
  );
}

const UNIT_WORDS: Record<string, string> = { s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds' };

/** How the timestamps were read: a Unix unit, ISO 8601 text, or the file's day-first / month-first dates (text without a zone is UTC). */
function timestampText(unit: string, dates: string | undefined): string {
  if (dates) return `Timestamps read as ${dates} dates; without a time zone they are UTC, as shown.`;
  if (unit === 'iso') return 'Timestamps read as ISO 8601 text; without a time zone they are UTC, as shown.';
  return `Timestamps read as ${UNIT_WORDS[unit] ?? unit} since 1970, shown in UTC.`;
}

type StatusCounts = Record<Exclude<RowFilter, 'all'>, number>;

/** The preview's row counts; with problems, each is a button that shows only its rows (again: all). */
function StatusBadges({ counts, added, shown, setFilter, error, loading }: { counts: StatusCounts; added: number; shown: RowFilter; setFilter: (f: RowFilter) => void; error: boolean; loading: boolean }) {
  const hasProblems = counts.rejected + counts.duplicate + counts.skipped > 0;
  const badge = (status: Exclude<RowFilter, 'all'>, tone: string) => (
    <button
      type="button"
      className={`pill pill-${tone} pill-btn`}
      aria-pressed={shown === status}
      title={shown === status ? 'Show every row' : `Show only the ${status} rows`}
      onClick={() => setFilter(shown === status ? 'all' : status)}
    >
      {counts[status]} {status}
    </button>
  );
  return (
    <div className="counts" aria-live="polite" data-testid="mapped-counts">
      {/* With an error no row was mapped: the raw rows are not "ok". */}
      {!error && (hasProblems && counts.ok > 0 ? badge('ok', 'ok') : <Pill tone="ok">{counts.ok} ok</Pill>)}
      {/* Rows the engine adds (a CLEAR before each book snapshot): written, but no line of the file. */}
      {added > 0 && <Pill tone="active" title="Rows the engine adds that are no line of the file; they are written">{added} added</Pill>}
      {counts.rejected > 0 && badge('rejected', 'error')}
      {counts.duplicate > 0 && badge('duplicate', 'warn')}
      {counts.skipped > 0 && badge('skipped', 'warn')}
      {loading && <span className="muted small">updating…</span>}
    </div>
  );
}

/** The mapped preview's columns: line, status (wide enough for whole reasons when there are some), then each written field. */
function mappedColumns(keys: string[], hasReasons: boolean): VCol[] {
  return [
    { key: 'line', label: 'Line', width: '64px', min: 64, className: 'num muted' },
    { key: 'status', label: 'Status', width: hasReasons ? 'minmax(260px, 2fr)' : '90px', min: hasReasons ? 260 : 90, className: 'wrap-cell' },
    ...keys.map((k) => {
      const wide = k.startsWith('ts_') || k.includes('time');
      // A depth level is "size @ price" (10.896 @ 11657.07): wider than one number.
      const min = wide ? 262 : /^(bid|ask)_\d$/.test(k) ? 160 : 100;
      return { key: k, label: MAPPED_LABELS[k] ?? (k in M.FIELD_LABELS ? M.FIELD_LABELS[k as MappingField].toLowerCase() : k), width: wide ? 'minmax(262px, 1.4fr)' : `minmax(${min}px, 1fr)`, min, className: 'mono' };
    }),
  ];
}

function MappedPreview({ fields }: { fields: MappingField[] }) {
  const preview = useApp((s) => s.preview);
  const dateFormat = useApp((s) => previewFile(s)?.options.dateFormat);
  // Only an answer to the mapping shown now: an older one (another file, the mapping before a change) is not shown as if it were.
  const current = useApp(previewIsCurrent);
  const r = current ? preview.result : null;
  const rows = r?.rows ?? [];
  const mapping = useApp(shownMapping);
  const keys = useMemo(() => {
    const seen = mappedKeys(rows);
    // No row made it: show the mapped columns' raw values instead, so the reason can be seen.
    if (!seen.length && mapping) for (const f of fields) if (mapping.columns[f]) seen.push(KEY_OF_FIELD[f] ?? f);
    return seen;
  }, [rows, mapping, fields]);
  const columns = r?.file.columns ?? [];
  /** The raw cell behind a mapped value, for rows the engine did not map. */
  const rawCell = (cells: string[], key: string): string => {
    const field = (Object.keys(KEY_OF_FIELD) as MappingField[]).find((f) => KEY_OF_FIELD[f] === key) ?? (key as MappingField);
    const col = mapping?.columns[field] ?? (key === 'ts_init' ? mapping?.columns.timestamp : undefined);
    const i = col ? columns.indexOf(col) : -1;
    return i >= 0 ? cells[i] ?? '' : '';
  };
  const [filter, setFilter] = useState<RowFilter>('all');
  const { counts, added } = useMemo(() => {
    const c: StatusCounts = { ok: 0, rejected: 0, duplicate: 0, skipped: 0 };
    let n = 0;
    // An added row is counted apart: "7 ok · 1 added" for the file's 7 lines.
    for (const row of rows) if (isAddedRow(row)) n++; else c[row.status]++;
    return { counts: c, added: n };
  }, [rows]);
  // A badge clicked shows only its rows; a filter whose rows are gone shows all again.
  const shownFilter: RowFilter = filter !== 'all' && counts[filter] > 0 ? filter : 'all';
  const shown = useMemo(() => filterRows(rows, shownFilter), [rows, shownFilter]);
  if (!r) return preview.loading || preview.result ? <Empty>Reading…</Empty> : null;
  const hasProblems = counts.rejected + counts.duplicate + counts.skipped > 0;
  const cols = mappedColumns(keys, hasProblems);
  const addedWhy = [...new Set(rows.filter(isAddedRow).map((row) => row.reason!.replace(/^added: /, '')))];
  return (
    <section className="card mapped-preview" aria-labelledby="mapped-title">
      <div className="card-head">
        <h2 id="mapped-title">What the engine will write</h2>
        <StatusBadges counts={counts} added={added} shown={shownFilter} setFilter={setFilter} error={!!r.error} loading={preview.loading} />
      </div>
      {r.error ? (
        <div className="alert alert-warn" role="status">{r.error.replace(/; map it in the config's "columns"$/, '')}</div>
      ) : (
        <VirtualTable
          label="Mapped rows"
          testId="mapped-preview"
          columns={cols}
          rowCount={shown.length}
          wrap={hasProblems}
          rowClass={(i) => (isAddedRow(rows[shown[i]!]!) ? 'row-added' : `row-${rows[shown[i]!]!.status}`)}
          cell={(i, ci) => {
            const row = rows[shown[i]!]!;
            if (ci === 0) return row.line;
            if (ci === 1) return <StatusCell status={row.status} reason={row.reason} field={row.field} />;
            const key = keys[ci - 2]!;
            if (row.mapped) return row.mapped[key] ?? '';
            const raw = rawCell(row.cells, key);
            return raw ? <span className="raw" title="raw value from the file">{raw}</span> : '';
          }}
          height={360}
        />
      )}
      {!r.error && added > 0 && <p className="small added-note" data-testid="added-note">{added === 1 ? '1 row' : `${added} rows`} marked “added” {added === 1 ? 'is' : 'are'} no line of the file, written all the same: {addedWhy.join('; ')}.</p>}
      {!r.error && keys.includes('bid_0') && <p className="muted small" data-testid="levels-shown">Levels shown as size @ price, the top three a side (level 0 is the best); the others, up to ten a side, are written too.</p>}
      {!r.error && fields.includes('timestamp') && r.timestampUnit && <p className="muted small">{timestampText(r.timestampUnit, dateFormat)}</p>}
    </section>
  );
}

/** Ctrl+Z (Cmd+Z) undoes the last mapping change, except in text fields, which keep their own undo. */
function useUndoShortcut(undo: () => void) {
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.key.toLowerCase() !== 'z') return;
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable)) return;
      e.preventDefault();
      undo();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo]);
}

function MappingActions({ mapping }: { mapping: M.MappingState }) {
  const undo = useApp((s) => s.undo);
  const reset = useApp((s) => s.resetMapping);
  return (
    <>
      <button type="button" className="btn" onClick={undo} disabled={!M.canUndo(mapping)} title="Undo (Ctrl+Z)" aria-keyshortcuts="Control+Z">↶ Undo</button>
      <button type="button" className="btn" onClick={reset} disabled={!mapping.touched} title="The engine's automatic mapping of this file's header">Reset to automatic</button>
    </>
  );
}

/** Which files the shown mapping belongs to: the files of the shown file's layout (and that other layouts have their own). */
function SharedBy() {
  const files = useApp((s) => s.files);
  const t = useApp((s) => s.previewType);
  const key = useApp(shownMappingKey);
  const groups = layoutGroups(files, t);
  const mine = groups.find((g) => g.key === key);
  if (!mine) return null;
  const others = groups.length - 1;
  const who = mine.files.length === 1 ? `Mapping of ${mine.files[0]!.info.name} (no other file has its layout)` : `Mapping shared by ${mine.files.length} files of this layout`;
  return (
    <p className="small muted" data-testid="mapping-shared" title={mine.files.map((f) => f.info.name).join('\n')}>
      {who}{others > 0 ? ` · ${others} other layout${others === 1 ? '' : 's'} of ${TYPE_LABELS[t].toLowerCase()} files ha${others === 1 ? 's its' : 've their'} own` : ''}
    </p>
  );
}

function FieldsPane({ fields, required, mapping, columns, sampleOf }: { fields: MappingField[]; required: MappingField[]; mapping: M.MappingState; columns: string[]; sampleOf: (c: string) => string }) {
  const t = useApp((s) => s.previewType);
  const missing = M.missingRequired(mapping.columns, required, columns);
  return (
    <section className="pane" aria-labelledby="fields-title">
      <h2 id="fields-title">{TYPE_LABELS[t]} fields</h2>
      <SharedBy />
      <p className={`small ${missing.length ? 'text-warn' : 'text-ok'}`} role="status" data-testid="mapping-status">
        {M.missingText(missing)}
      </p>
      <ul className="field-list">
        {fields.map((f) => <FieldSlot key={f} field={f} required={required.includes(f)} mapping={mapping} sampleOf={sampleOf} />)}
      </ul>
      {t === 'depth10' && <p className="small muted levels-note" data-testid="levels-note">{levelsText(columns)}</p>}
    </section>
  );
}

export function MappingScreen() {
  const files = useApp((s) => s.files);
  const t = useApp((s) => s.previewType);
  const setType = useApp((s) => s.setPreviewType);
  const mapping = useApp(shownMapping);
  const preview = useApp((s) => s.preview);
  const current = useApp(previewIsCurrent);
  const undo = useApp((s) => s.undo);
  const source = useApp((s) => s.source);
  const shownFile = useApp(previewFile);
  const r = current ? preview.result : null;
  // The shown file's columns (its info follows each preview), else those the mapping was made for.
  const columns = r?.file.columns ?? shownFile?.info.columns ?? mapping.fileColumns;
  const fields = r?.fields ?? FIELDS_FOR[t];
  const required = r?.required ?? REQUIRED_FIELDS[t];
  const firstRow = r?.rows[0]?.cells ?? [];
  const sampleOf = (c: string) => firstRow[columns.indexOf(c)] ?? '';
  const missing = M.missingRequired(mapping.columns, required, columns);
  const types = typesInUse(files);
  // Depth 10 maps its two times; its level columns (100 in a book_snapshot_25) are one line, read by name.
  const listed = t === 'depth10' ? foldLevels(columns) : { shown: columns.map((_, i) => i), folded: null };
  useUndoShortcut(undo);

  if (source !== 'csv') {
    return (
      <div className="screen">
        <ScreenHeader title="Column mapping">WebSocket captures and Tardis downloads have a fixed layout: there is nothing to map.</ScreenHeader>
        <StepNav back="preview" next="job" nextLabel="Next: job →" />
      </div>
    );
  }

  return (
    <div className="screen">
      <ScreenHeader title="Column mapping" actions={<MappingActions mapping={mapping} />}>
        Which column holds what. The automatic mapping is filled in and says how sure it is; fix anything that looks wrong.
      </ScreenHeader>
      <div className="toolbar">
        <TypeTabs types={types} value={t} onChange={setType} label="Data type to map" />
        <FilePicker typedOnly />
        <Templates />
      </div>
      {!types.length ? (
        <Empty>No file is used for any data type: mark files on the Source step.</Empty>
      ) : (
        <>
          <LocaleProposal />
          <div className="mapping-grid">
            <ColumnList columns={listed.shown.map((i) => columns[i]!)} sample={listed.shown.map((i) => firstRow[i] ?? '')} mapping={mapping} folded={listed.folded} />
            <FieldsPane fields={fields} required={required} mapping={mapping} columns={columns} sampleOf={sampleOf} />
          </div>
          <MappedPreview fields={fields} />
        </>
      )}
      <StepNav back="preview" next="job" nextLabel="Next: job →" hint={missing.length ? 'Required fields are missing' : undefined} />
    </div>
  );
}
