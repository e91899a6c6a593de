// Step 5: one bar per day per data type, streamed from the job; cancel at any time.
import { useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { baseName, formatCount, formatEta, formatRate, plural } from '../logic/format.js';
import { isFinished, type FileProgress } from '../logic/progress.js';
import { TYPE_LABELS } from '../logic/dataTypes.js';
import { fileReadPercent, groupBars, yearSpans, groupByInstrument, runSegments, runSummary, specLine, type BarGroup, type BarView, type InstrumentGroups, type RunSummary } from '../logic/progressView.js';
import { dayCounts, daysText, failedFiles, resultTitle, resultTone, shownError } from '../logic/result.js';
import type { RunReport } from '../../../shared/report.js';
import { FailureList } from '../components/Failures.js';
import { Pill, ProgressBar, ScreenHeader, SegmentedBar } from '../components/common.js';
import { useApp } from '../store/context.js';

/** Cancel while the job runs; once it has ended: run again, change it, or see the result. */
function RunActions() {
  const run = useApp((s) => s.run);
  const cancel = useApp((s) => s.cancel);
  const go = useApp((s) => s.go);
  const lastSpec = useApp((s) => s.lastSpec);
  const startSpec = useApp((s) => s.startSpec);
  if (!isFinished(run)) {
    return (
      <button type="button" className="btn danger" onClick={() => void cancel()} disabled={run.status === 'cancelling' || !run.jobId}>
        {run.status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
      </button>
    );
  }
  return (
    <>
      {lastSpec && <button type="button" className="btn" onClick={() => void startSpec(lastSpec)}>Run again</button>}
      <button type="button" className="btn" onClick={() => go('job')}>Change the job</button>
      {run.status !== 'cancelled' && <button type="button" className="btn primary" onClick={() => go('result')}>View result →</button>}
    </>
  );
}

/** The line over the bar once the report is in: days finished (as during the run), days written, and the report's rows read. */
function endedText(sum: RunSummary, r: RunReport): string {
  return [`${formatCount(sum.done + sum.skipped)} of ${plural(sum.total, 'day')} finished`, daysText(dayCounts(r.days)), `${plural(r.totals.read, 'row')} read`].join(' · ');
}

function RunOverall({ sum }: { sum: RunSummary }) {
  const run = useApp((s) => s.run);
  const resultError = useApp((s) => s.result.error);
  const report = useApp((s) => s.result.report);
  const segments = useMemo(() => runSegments(run), [run]);
  // A job that ended with errors never looks like a clean finish, even when every day's bar is full.
  const ended = isFinished(run) && run.status !== 'cancelled' ? report : null;
  const errors = run.status === 'failed' || ended?.ok === false;
  return (
    <section className={`card run-overall${errors ? ' has-errors' : ''}`} data-testid="run-overall" data-status={run.status}>
      <div className="overall-line">
        <span className="overall-text" aria-live="polite">{ended ? endedText(sum, ended) : sum.text}</span>
        <span className="overall-pct">{sum.percent}%</span>
      </div>
      <SegmentedBar percent={sum.percent} segments={segments} label="Whole job" />
      {run.status === 'cancelled' && <p className="muted">Cancelled. Days that were not finished left nothing behind; finished days stay in the catalog.</p>}
      {/* Once the report is in, its failures by file (as on the Result screen); before, the job's message. */}
      {run.status === 'failed' && report && !report.sections?.length && (report.errors.length > 0 || report.files.some((f) => f.error)) ? (
        <div className="alert alert-error failures" role="alert" data-testid="run-failures"><FailureList r={report} /></div>
      ) : run.status === 'failed' && (run.message || resultError) && <div className="alert alert-error" role="alert">{shownError(run.message ?? resultError!)}</div>}
    </section>
  );
}

function DayBarItem({ b, at }: { b: BarView; at?: { index: number; start: number; measure: (el: Element | null) => void } }) {
  const place = at ? { 'data-index': at.index, ref: at.measure, style: { position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${at.start}px)` } as const } : {};
  return (
    <li className={`day-bar tone-${b.tone}`} data-day={b.day} data-type={b.dataType} data-state={b.tone} {...place}>
      <span className="day-label mono">{b.day}</span>
      <ProgressBar percent={b.percent} tone={b.tone} label={`${TYPE_LABELS[b.dataType]} ${b.day}`} />
      <span className="day-state"><Pill tone={b.tone}>{b.stateLabel}</Pill></span>
      <span className="day-meta">
        <span>{b.rowsText}</span>
        {b.rateText && <span>{b.rateText}</span>}
        {b.etaText && <span>{b.etaText}</span>}
      </span>
      {b.error && <div className={`day-error${b.tone === 'failed' ? '' : ' muted'}`} role={b.tone === 'failed' ? 'alert' : undefined}>{shownError(b.error)}</div>}
    </li>
  );
}

function BarGroupCard({ g }: { g: BarGroup }) {
  const id = `g-${g.instrument ? `${g.instrument}-` : ''}${g.dataType}`;
  return (
    <section className="card" aria-labelledby={id} data-instrument={g.instrument}>
      <div className="card-head">
        <h2 id={id}>{g.label}</h2>
        <span className="muted small">{formatCount(g.done)} of {formatCount(g.total)} done{g.failed ? ` · ${formatCount(g.failed)} failed` : ''}</span>
      </div>
      {g.bars.length > VIRTUAL_FROM ? <VirtualDayBars bars={g.bars} label={g.label} /> : (
        <ul className="day-bars">
          {g.bars.map((b) => <DayBarItem key={b.key} b={b} />)}
        </ul>
      )}
    </section>
  );
}

/** Above this many days a group's bars scroll in a box, only those in view in the page (31 years are 11,323 bars). */
const VIRTUAL_FROM = 62;

function VirtualDayBars({ bars, label }: { bars: BarView[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: bars.length, getScrollElement: () => box.current, estimateSize: () => 41, overscan: 10 });
  const years = useMemo(() => yearSpans(bars), [bars]);
  return (
    <>
      <div className="year-jumps" role="group" aria-label={`${label}: jump to a year`}>
        {years.map((y) => (
          <button key={y.year} type="button" className={`year-jump${y.failed ? ' has-failed' : y.rows ? ' has-rows' : ''}`} onClick={() => v.scrollToIndex(y.first, { align: 'start' })}
            title={`${y.year}: ${plural(y.days, 'day')}, ${plural(y.rows, 'row')}${y.failed ? `, ${y.failed} failed` : ''}`}>
            {y.year}
          </button>
        ))}
      </div>
      <div className="day-bars-scroll" ref={box} tabIndex={0} aria-label={`${label}: ${bars.length} days, scroll for more`} data-testid="day-bars-virtual" data-days={bars.length}>
        <ul className="day-bars" style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((it) => (
            <DayBarItem key={bars[it.index]!.key} b={bars[it.index]!} at={{ index: it.index, start: it.start, measure: v.measureElement }} />
          ))}
        </ul>
      </div>
    </>
  );
}

/** A job of several instruments: each one's days under a heading with its symbol. */
function InstrumentBars({ x }: { x: InstrumentGroups }) {
  if (!x.instrument) return <>{x.groups.map((g) => <BarGroupCard key={g.dataType} g={g} />)}</>;
  return (
    <div className="instrument-section" data-testid="run-instrument" data-instrument={x.instrument}>
      <div className="instrument-section-head">
        <h2 className="mono">{x.instrument}</h2>
        <span className="muted small">{x.done} of {x.total} day{x.total === 1 ? '' : 's'} done{x.failed ? ` · ${x.failed} failed` : ''}</span>
      </div>
      {x.groups.map((g) => <BarGroupCard key={g.dataType} g={g} />)}
    </div>
  );
}

function FileItem({ f, failed }: { f: FileProgress; failed: boolean }) {
  return (
    <li className={f.state === 'failed' || failed ? 'text-error' : ''} data-file={baseName(f.path)}>
      {f.instrument && <span className="mono small">{f.instrument}</span>}
      <span className="mono" title={f.path}>{baseName(f.path)}</span>
      <span className="muted small">{TYPE_LABELS[f.dataType]}</span>
      <span className="small">{plural(f.rows, 'row')}</span>
      {f.state === 'reading' && <span className="small muted">{fileReadPercent(f)}% · {formatRate(f.rowsPerSec)} {formatEta(f.etaSec)}</span>}
      {f.state === 'done' && (failed ? <Pill tone="failed">failed</Pill> : <Pill tone="done">read</Pill>)}
      {f.state === 'failed' && f.error && <span className="small">{shownError(f.error)}</span>}
      {f.state === 'stopped' && <Pill tone="cancelled">stopped</Pill>}
    </li>
  );
}

function FilesRead({ files }: { files: FileProgress[] }) {
  const report = useApp((s) => s.result.report);
  // A file read to its end can still fail the job (too many of its rows rejected): the report says which.
  const failed = useMemo(() => new Set(report ? failedFiles(report) : []), [report]);
  if (!files.length) return null;
  return (
    <section className="card" aria-labelledby="files-progress">
      <h2 id="files-progress">Files read</h2>
      <ul className="file-progress">
        {files.map((f) => <FileItem key={`${f.instrument ?? ''}|${f.dataType}|${f.path}`} f={f} failed={failed.has(f.path)} />)}
      </ul>
    </section>
  );
}

function RunLog({ log }: { log: { level: string; message: string }[] }) {
  if (!log.length) return null;
  return (
    <details className="card log">
      <summary>Log ({log.length})</summary>
      <ul>{log.map((l, i) => <li key={i} className={`log-${l.level}`}>{shownError(l.message)}</li>)}</ul>
    </details>
  );
}

/** The engine's other running jobs (their pages gone, or another window's): each can be cancelled from here. */
function OtherJobs() {
  const jobs = useApp((s) => s.jobs);
  const current = useApp((s) => s.run.jobId);
  const cancelJobById = useApp((s) => s.cancelJobById);
  const others = jobs.filter((j) => j.state === 'running' && j.jobId !== current);
  if (!others.length) return null;
  return (
    <section className="card" aria-labelledby="other-jobs" data-testid="other-jobs">
      <h2 id="other-jobs">Other running jobs</h2>
      <ul className="file-progress">
        {others.map((j) => (
          <li key={j.jobId}>
            <span className="mono">{specLine(j)}</span>
            <span className="small muted">{formatCount(j.daysFinished)} of {plural(j.days, 'day')} finished when asked</span>
            <button type="button" className="btn danger" onClick={() => void cancelJobById(j.jobId)}>Cancel</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function RunScreen() {
  const run = useApp((s) => s.run);
  const lastSpec = useApp((s) => s.lastSpec);
  const attached = useApp((s) => s.attached);
  const groups = useMemo(() => groupByInstrument(groupBars(run)), [run]);
  const sum = useMemo(() => runSummary(run), [run]);
  const report = useApp((s) => s.result.report);
  // Once the job has ended and its report is in: the Result screen's headline, word for word.
  const ended = isFinished(run) && run.status !== 'cancelled' && report;
  return (
    <div className="screen">
      <ScreenHeader title={ended ? resultTitle(report) : sum.title} tone={ended ? resultTone(report) : undefined} actions={<RunActions />}>
        {specLine(lastSpec ?? attached)}
      </ScreenHeader>
      <RunOverall sum={sum} />
      <OtherJobs />
      {groups.map((x) => <InstrumentBars key={x.instrument ?? ''} x={x} />)}
      <FilesRead files={Object.values(run.files)} />
      <RunLog log={run.log} />
    </div>
  );
}
