// Step 4: what to build — instrument, days, data types, where, and how.
import { useMemo, useState } from 'react';
import { DATA_TYPES } from '../../../shared/job.js';
import { dayFieldError } from '../logic/dates.js';
import { fileCountText, filesFor, markedDays } from '../logic/files.js';
import { mappingSkipped } from '../logic/books.js';
import { buildJob, DEFAULT_REJECT_PERCENT, jobBackStep, optionalNumber, toggleDataType, type BuiltJob } from '../logic/job.js';
import { isBusy } from '../logic/progress.js';
import { TYPE_LABELS } from '../logic/dataTypes.js';
import { DateRangePicker } from '../components/DateRangePicker.js';
import { InstrumentCard } from '../components/InstrumentCard.js';
import { AllowedFolders, ScreenHeader, StepNav } from '../components/common.js';
import { useApp } from '../store/context.js';
import { jobFacts } from '../store/files.js';

/** Advanced: how many of a file's rows may be rejected before the run counts as failed. */
function RejectLimit() {
  const pct = useApp((s) => s.draft.maxRejectPercent);
  const setDraft = useApp((s) => s.setDraft);
  // Open when it was changed before (coming back to this step), fixed at mount so typing 50 does not fold it away.
  const [openAtFirst] = useState(() => pct !== null && pct !== DEFAULT_REJECT_PERCENT);
  return (
    <details className="advanced" open={openAtFirst || undefined} data-testid="job-advanced">
      <summary>Options</summary>
      <div className="field">
        <label className="label" htmlFor="max-reject">Rejected rows allowed per file</label>
        <div className="input-row input-unit">
          <input id="max-reject" className="input num-input" type="number" min={0} max={100} step="any" inputMode="decimal"
            placeholder={String(DEFAULT_REJECT_PERCENT)} value={pct ?? ''} aria-describedby="max-reject-hint"
            aria-invalid={pct !== null && !(pct >= 0 && pct <= 100)}
            onChange={(e) => setDraft({ maxRejectPercent: optionalNumber(e.target.value) })} />
          <span className="muted">%</span>
        </div>
        <p id="max-reject-hint" className="muted small">
          A file with a larger share of rejected rows fails the run (its good rows are still written; every rejected row is kept with its reason). 0 fails on any rejected row.
        </p>
      </div>
    </details>
  );
}

/** A typed day; text that is not one yet says what is expected (the calendar keeps its months meanwhile). */
function DayField({ id, label, value, onChange }: { id: string; label: string; value: string | null; onChange: (d: string | null) => void }) {
  const error = dayFieldError(value);
  return (
    <div className="field">
      <label className="label" htmlFor={id}>{label}</label>
      <input id={id} className="input mono" placeholder="YYYY-MM-DD" value={value ?? ''} spellCheck={false}
        onChange={(e) => onChange(e.target.value || null)} aria-invalid={!!error} aria-describedby={error ? `${id}-error` : undefined} />
      {error && <p id={`${id}-error`} className="small text-error" data-testid={`${id}-error`}>{error}</p>}
    </div>
  );
}

function DaysCard() {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const files = useApp((s) => s.files);
  const marked = useMemo(() => markedDays(files), [files]);
  return (
    <section className="card" aria-labelledby="dates-title">
      <h2 id="dates-title">Days {draft.filled.days && <span className="from-files" data-testid="days-from-files">from the files</span>}</h2>
      <DateRangePicker value={{ start: draft.start, end: draft.end }} onChange={(r) => setDraft({ start: r.start, end: r.end })} marked={marked} />
      <div className="form-row">
        <DayField id="start" label="First day" value={draft.start} onChange={(start) => setDraft({ start })} />
        <DayField id="end" label="Last day" value={draft.end} onChange={(end) => setDraft({ end })} />
      </div>
    </section>
  );
}

function DataTypesCard() {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const files = useApp((s) => s.files);
  const fileSource = draft.source !== 'tardis';
  return (
    <section className="card" aria-labelledby="data-title">
      <h2 id="data-title">Data types</h2>
      <div className="check-list">
        {DATA_TYPES.map((t) => {
          const n = filesFor(files, t).length;
          const disabled = fileSource && n === 0 && !draft.dataTypes.includes(t);
          return (
            <label key={t} className={`check${disabled ? ' disabled' : ''}`}>
              <input type="checkbox" checked={draft.dataTypes.includes(t)} disabled={disabled} onChange={() => setDraft({ dataTypes: toggleDataType(draft.dataTypes, t) })} />
              <span>{TYPE_LABELS[t]}</span>
              {fileSource && <span className="muted small">{fileCountText(n)}</span>}
            </label>
          );
        })}
      </div>
      {draft.dataTypes.includes('bars') && <BarTypeField />}
    </section>
  );
}

/** The bars' spec, when the data cannot say (detected from the bars' spacing otherwise). */
function BarTypeField() {
  const value = useApp((s) => s.draft.barType);
  const setDraft = useApp((s) => s.setDraft);
  return (
    <div className="field">
      <label className="label" htmlFor="bar-type">Bar type</label>
      <input id="bar-type" className="input mono" value={value} spellCheck={false} placeholder="detected, e.g. 1-MINUTE-LAST" aria-describedby="bar-type-hint"
        onChange={(e) => setDraft({ barType: e.target.value.toUpperCase() })} />
      <p id="bar-type-hint" className="muted small">Step, unit and price, as NautilusTrader names bars. Empty: detected from the spacing of the bars (MARK for mark-price klines).</p>
    </div>
  );
}

function PrecisionModeField() {
  const mode = useApp((s) => s.draft.precisionMode);
  const setDraft = useApp((s) => s.setDraft);
  return (
    <fieldset className="field radios">
      <legend className="label">Precision</legend>
      <label className="check">
        <input type="radio" name="precision" checked={mode === 128} onChange={() => setDraft({ precisionMode: 128 })} />
        <span>128-bit</span><span className="muted small">NautilusTrader on Linux and macOS</span>
      </label>
      <label className="check">
        <input type="radio" name="precision" checked={mode === 64} onChange={() => setDraft({ precisionMode: 64 })} />
        <span>64-bit</span><span className="muted small">NautilusTrader on Windows</span>
      </label>
    </fieldset>
  );
}

function OutputCard() {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const pickOutput = useApp((s) => s.pickOutput);
  const browserMode = useApp((s) => s.browserMode);
  return (
    <section className="card" aria-labelledby="out-title">
      <h2 id="out-title">Output</h2>
      <div className="field">
        <label className="label" htmlFor="output">Catalog folder</label>
        <div className="input-row">
          <input id="output" className="input mono" value={draft.output} spellCheck={false} onChange={(e) => setDraft({ output: e.target.value })} placeholder="/home/me/catalogs/btc" />
          {/* Browser mode has no folder dialog: the path is typed. */}
          {!browserMode && <button type="button" className="btn" onClick={() => void pickOutput()}>Choose…</button>}
        </div>
        <AllowedFolders what="The catalog folder" />
      </div>
      <PrecisionModeField />
      <label className="check">
        <input type="checkbox" checked={draft.overwrite} onChange={(e) => setDraft({ overwrite: e.target.checked })} />
        <span>Replace days already in the catalog</span>
      </label>
      <RejectLimit />
    </section>
  );
}

function JobIssues({ built }: { built: BuiltJob }) {
  if (!built.errors.length && !built.warnings.length) return null;
  return (
    <div className="issues" role="status" data-testid="job-issues">
      {built.errors.map((e) => <div key={e} className="issue issue-error">{e}</div>)}
      {built.warnings.map((w) => <div key={w} className="issue issue-warn">{w}</div>)}
    </div>
  );
}

export function JobScreen() {
  const draft = useApp((s) => s.draft);
  const presets = useApp((s) => s.presets);
  const files = useApp((s) => s.files);
  const startJob = useApp((s) => s.startJob);
  const runStatus = useApp((s) => s.run.status);
  const mappings = useApp((s) => s.mappings);
  const facts = useApp((s) => s.facts);
  const apiKeySaved = useApp((s) => s.apiKeySaved);
  const built = useMemo(() => buildJob(draft, files, mappings, presets, jobFacts({ files, facts, draft }), { apiKeySaved }), [draft, files, mappings, presets, facts, apiKeySaved]);
  const busy = isBusy(runStatus);
  return (
    <div className="screen">
      <ScreenHeader title="Job">What to build and where. The catalog is written day by day; days already in it are kept unless you replace them.</ScreenHeader>
      <div className="job-grid">
        <InstrumentCard mismatches={built.mismatches} />
        <DaysCard />
        <DataTypesCard />
        <OutputCard />
      </div>
      <JobIssues built={built} />
      <StepNav
        back={jobBackStep(draft.source, mappingSkipped(files))}
        onNext={() => void startJob()}
        nextLabel={busy ? 'A job is running…' : 'Run the job'}
        nextDisabled={!built.spec || busy}
      />
    </div>
  );
}
