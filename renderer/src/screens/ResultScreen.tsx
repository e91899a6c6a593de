// Step 6: what failed first, then what was written, day by day, a chart per day, verify's verdict
// on what was written, the rejected rows and the engine's notes.
import type { VerifyOutcome } from '../../../shared/api.js';
import type { DayReport, RunReport } from '../../../shared/report.js';
import { baseName, dirName, formatCount } from '../logic/format.js';
import { TYPE_LABELS } from '../logic/dataTypes.js';
import {
  dayCounts, dayStateLabel, dayTableExtras, daysText, shownError, instrumentFacts, resultTitle, resultTone, sectionLabel, stateTone,
} from '../logic/result.js';
import { FailureList } from '../components/Failures.js';
import { RejectsCard } from '../components/RejectsCard.js';
import { verifyInfoView, verifyTotals } from '../logic/verify.js';
import { DayChart } from '../components/DayChart.js';
import { CopyPathButton, Empty, Pill, ScreenHeader } from '../components/common.js';
import { useApp } from '../store/context.js';
import { addedSums } from '../logic/books.js';

function Rejected({ d }: { d: DayReport }) {
  const entries = Object.entries(d.rejected).filter(([, n]) => n > 0);
  if (!entries.length) return <span className="muted">0</span>;
  return (
    <span className="reasons">
      {entries.map(([reason, n]) => <span key={reason} className="reason-chip" title={reason}>{formatCount(n)} × {reason}</span>)}
    </span>
  );
}

/** verify's facts that are not problems: files another program (e.g. NautilusTrader) wrote, named on demand. */
function VerifyInfo({ info }: { info?: string[] }) {
  const view = verifyInfoView(info);
  if (!view.foreignCount && !view.other.length) return null;
  return (
    <div className="verify-info" data-testid="verify-info">
      {view.foreignCount > 0 && (
        <details>
          <summary>{view.foreignCount} file{view.foreignCount === 1 ? '' : 's'} not written by catalog-builder</summary>
          <p className="small">Files another program put in the catalog, NautilusTrader for one; they are checked like the rest but not against catalog-builder’s record of what it wrote.</p>
          {view.foreign.map((f) => (
            <div key={f.folder} className="small">
              <span className="mono">{f.folder}/</span>
              <ul className="mono">{f.names.map((n) => <li key={n}>{n}</li>)}</ul>
            </div>
          ))}
        </details>
      )}
      {view.other.length > 0 && <ul className="small">{view.other.map((x) => <li key={x}>{x}</li>)}</ul>}
    </div>
  );
}

/** The instrument written: its id, class, market, inverse-ness, contract size, settlement and precisions. */
function InstrumentSummary({ r, symbol }: { r: RunReport; symbol?: string }) {
  const i = r.instrument;
  if (r.sections?.length) {
    return (
      <span data-testid="result-instrument">
        {r.sections.length} instruments: <strong className="mono">{r.sections.map(sectionLabel).join(', ')}</strong>
      </span>
    );
  }
  const facts = instrumentFacts(i);
  return (
    <span data-testid="result-instrument">
      <strong className="mono">{i.id || symbol}</strong>
      {facts.length > 0 && <> · {facts.join(' · ')}</>}
      <br />
      Price {i.pricePrecision} / size {i.sizePrecision} decimals ({i.precisionSource})
    </span>
  );
}

function ResultHeader({ r, output }: { r: RunReport; output: string }) {
  const spec = useApp((s) => s.lastSpec);
  const openFolder = useApp((s) => s.openFolder);
  const startSpec = useApp((s) => s.startSpec);
  const newJob = useApp((s) => s.newJob);
  const browserMode = useApp((s) => s.browserMode);
  return (
    <ScreenHeader
      title={resultTitle(r)} tone={resultTone(r)}
      actions={
        <>
          <button type="button" className="btn" onClick={newJob}>New job</button>
          {spec && <button type="button" className="btn" onClick={() => void startSpec(spec)}>Run again</button>}
          {/* Browser mode cannot open a folder on the server's desktop: the path is what the user takes away. */}
          {!browserMode && <button type="button" className="btn primary" onClick={() => void openFolder(output)}>Open folder</button>}
        </>
      }
    >
      <span className="written-to" data-testid="written-to">
        <span>Written to <span className="mono">{output}</span></span>
        <CopyPathButton path={output} />
      </span>
      <br />
      <InstrumentSummary r={r} symbol={spec?.symbol} />
    </ScreenHeader>
  );
}

function VerdictText({ v, verifying, partial }: { v: VerifyOutcome | null; verifying: boolean; partial: boolean }) {
  if (!v) return <span>{verifying ? 'Verifying the catalog…' : 'Not verified yet.'}</span>;
  if (!v.ok) {
    return (
      <>
        <strong>✗ verify found problems.</strong>
        <ul>{v.errors.map((e) => <li key={e}>{e}</li>)}</ul>
      </>
    );
  }
  const totals = verifyTotals(v.summary);
  return (
    <span className="verdict-text">
      <strong>✓ Verified:</strong> what was written reads back as NautilusTrader expects: {totals.files} files, {formatCount(totals.rows)} rows of data{totals.instruments ? ` and ${formatCount(totals.instruments)} instrument definition${totals.instruments === 1 ? '' : 's'}` : ''}.
      {/* verify reads the catalog, not the job: it cannot vouch for rows that never reached it. */}
      {partial && <span data-testid="verdict-scope"> It checks only that; the failures above wrote nothing into the catalog.</span>}
    </span>
  );
}

function Verdict({ partial }: { partial: boolean }) {
  const v = useApp((s) => s.result.verify);
  const verifying = useApp((s) => s.result.verifying);
  const loadResult = useApp((s) => s.loadResult);
  return (
    <section className={`verdict ${v ? (v.ok ? `verdict-ok${partial ? ' verdict-partial' : ''}` : 'verdict-bad') : 'verdict-wait'}`} data-testid="verdict" aria-live="polite">
      <VerdictText v={v} verifying={verifying} partial={partial} />
      {v && v.warnings.length > 0 && <ul className="warnings">{v.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
      {v && <VerifyInfo info={v.info} />}
      {v && <button type="button" className="btn ghost small" onClick={() => void loadResult()} disabled={verifying}>Verify again</button>}
    </section>
  );
}

function StatCards({ r }: { r: RunReport }) {
  const c = dayCounts(r.days);
  return (
    <div className="stat-cards">
      <div className="stat"><span className="stat-n">{formatCount(r.totals.written)}</span><span className="stat-l">rows written</span></div>
      <div className="stat"><span className="stat-n">{formatCount(r.totals.duplicates)}</span><span className="stat-l">duplicates dropped</span></div>
      <div className="stat"><span className={`stat-n${r.totals.rejected ? ' text-warn' : ''}`}>{formatCount(r.totals.rejected)}</span><span className="stat-l">rows rejected</span></div>
      <div className="stat"><span className="stat-n">{formatCount(r.totals.outOfRange)}</span><span className="stat-l">outside the days</span></div>
      {/* Rows read but not written for their day's sake: shown when there are any (reports before these buckets have none). */}
      {(r.totals.existing ?? 0) > 0 && <div className="stat"><span className="stat-n">{formatCount(r.totals.existing)}</span><span className="stat-l">already in the catalog</span></div>}
      {(r.totals.discarded ?? 0) > 0 && <div className="stat"><span className="stat-n text-error">{formatCount(r.totals.discarded)}</span><span className="stat-l">discarded with failed days</span></div>}
      <div className="stat" data-testid="stat-days"><span className={`stat-n${c.written < c.total ? ' text-warn' : ''}`}>{c.written}/{c.total}</span><span className="stat-l">days written</span></div>
      {c.empty > 0 && <div className="stat"><span className="stat-n text-warn">{c.empty}</span><span className="stat-l">days empty (no rows)</span></div>}
      {c.failed > 0 && <div className="stat"><span className="stat-n text-error">{c.failed}</span><span className="stat-l">days failed</span></div>}
    </div>
  );
}

/** A day's row, and under it the day's error when it has one; `added`: the table has the Added column. */
function DayRow({ d, added }: { d: DayReport; added: boolean }) {
  return (
    <>
      <tr data-day={d.day} data-type={d.dataType} className={`${d.state === 'failed' ? 'row-error' : ''}${d.error ? ' has-detail' : ''}`}>
        <td>{TYPE_LABELS[d.dataType]}</td>
        <td className="mono nowrap">{d.day}</td>
        {/* A day done with nothing written is not "done" in the sense of data: it is empty. */}
        <td>{d.state === 'done' && d.written === 0 ? <Pill tone="warn">empty</Pill> : <Pill tone={stateTone(d.state)}>{dayStateLabel(d.state)}</Pill>}</td>
        <td className="num">{formatCount(d.read)}</td>
        {added && <td className="num">{formatCount(d.added ?? 0)}</td>}
        <td className="num">{formatCount(d.written)}</td>
        <td className="num">{formatCount(d.duplicates)}</td>
        <td><Rejected d={d} /></td>
        <td className="mono small file-cell" title={d.file}>{d.file ? baseName(d.file) : '–'}</td>
      </tr>
      {d.error && (
        <tr className={`row-detail${d.state === 'failed' ? ' row-error' : ''}`} data-detail-for={d.day}>
          <td />
          <td colSpan={added ? 8 : 7} className={`small ${d.state === 'failed' ? 'text-error' : 'muted'}`}>{shownError(d.error)}</td>
        </tr>
      )}
    </>
  );
}

/** Under the days: the rows that belong to no day, and the totals, so the table adds up to the job's figures. */
function DaysFoot({ r, added }: { r: RunReport; added: boolean }) {
  const x = dayTableExtras(r);
  const none = added ? <td className="num">0</td> : null;
  return (
    <tfoot>
      {x.noDay > 0 && (
        <tr data-testid="no-day-row" className="row-muted">
          <td colSpan={3}>no day (no usable timestamp)</td>
          <td className="num">{formatCount(x.noDay)}</td>{none}<td className="num">0</td><td className="num">0</td>
          <td>{formatCount(x.noDay)} rejected</td><td />
        </tr>
      )}
      {x.outOfRange > 0 && (
        <tr data-testid="outside-days-row" className="row-muted">
          <td colSpan={3}>outside the chosen days</td>
          <td className="num">{formatCount(x.outOfRange)}</td>{none}<td className="num">0</td><td className="num">0</td><td>not written</td><td />
        </tr>
      )}
      <tr data-testid="days-total-row" className="row-total">
        <td colSpan={3}>Total</td>
        <td className="num">{formatCount(x.total.read)}</td>{added && <td className="num">{formatCount(x.total.added)}</td>}<td className="num">{formatCount(x.total.written)}</td>
        <td className="num">{formatCount(x.total.duplicates)}</td><td>{formatCount(x.total.rejected)} rejected</td><td />
      </tr>
    </tfoot>
  );
}

function DaysCard({ r, idPrefix = '', title = 'Per day' }: { r: RunReport; idPrefix?: string; title?: string }) {
  const openFolder = useApp((s) => s.openFolder);
  const browserMode = useApp((s) => s.browserMode);
  // Order book deltas: the CLEAR rows the engine adds get their own column, and a line saying how the figures add up.
  const sums = addedSums(r.days);
  const added = sums.length > 0;
  return (
    <section className="card" aria-labelledby={`${idPrefix}days-title`}>
      <div className="card-head">
        <h2 id={`${idPrefix}days-title`}>{title}</h2>
        {r.rejectsFile && (
          <span className="rejects-link">
            Rejected rows: <span className="mono" title={r.rejectsFile}>{baseName(r.rejectsFile)}</span>{' '}
            {/* Browser mode cannot open a folder on the user's desktop: the rows are shown below instead. */}
            {!browserMode && <button type="button" className="btn small" onClick={() => void openFolder(dirName(r.rejectsFile!))} title={r.rejectsFile}>Show rejects file</button>}
          </span>
        )}
      </div>
      <table className="table days-table">
        <thead>
          <tr>
            <th scope="col">Data</th>
            <th scope="col">Day</th>
            <th scope="col">State</th>
            <th scope="col" className="num">Read</th>
            {added && <th scope="col" className="num" title="Rows the engine added (a CLEAR before each order book snapshot)">Added</th>}
            <th scope="col" className="num">Written</th>
            <th scope="col" className="num">Duplicates</th>
            <th scope="col">Rejected</th>
            <th scope="col">File</th>
          </tr>
        </thead>
        <tbody>
          {r.days.map((d) => <DayRow key={`${d.instrument ?? ''}|${d.dataType}|${d.day}`} d={d} added={added} />)}
        </tbody>
        <DaysFoot r={r} added={added} />
      </table>
      {sums.map((x) => <p key={x.dataType} className="small added-sum" data-testid="added-sum">{x.text}</p>)}
      {r.rejectsFile && <p className="muted small">Every rejected row is in <span className="mono">{r.rejectsFile}</span> with its file, line, field and reason.</p>}
    </section>
  );
}

function CatalogSummary({ summary }: { summary: VerifyOutcome['summary'] }) {
  return (
    <section className="card" aria-labelledby="cat-title">
      <h2 id="cat-title">In the catalog</h2>
      <table className="table">
        <thead>
          <tr><th scope="col">Type</th><th scope="col">Instrument</th><th scope="col" className="num">Files</th><th scope="col" className="num">Rows</th><th scope="col">First</th><th scope="col">Last</th></tr>
        </thead>
        <tbody>
          {summary.map((x) => (
            <tr key={`${x.type}|${x.identifier}`}>
              <td className="mono">{x.type}</td><td className="mono">{x.identifier}</td><td className="num">{x.files}</td>
              <td className="num">{formatCount(x.rows)}</td><td className="mono small">{x.first ?? '–'}</td><td className="mono small">{x.last ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** What failed, before anything else: each file named once, then what went wrong with it, in the app's words. */
function FailuresCard({ r }: { r: Pick<RunReport, 'files' | 'errors'> }) {
  if (!r.errors.length && !r.files.some((f) => f.error)) return null;
  return (
    <section className="card failures" role="alert" aria-labelledby="failures-title" data-testid="failures">
      <h2 id="failures-title">What failed</h2>
      <FailureList r={r} />
    </section>
  );
}

/** The engine's notes: the job's own, then each file's (how its timestamps were read, rows of other symbols skipped). */
function NotesCard({ r }: { r: RunReport }) {
  const files = r.files.filter((f) => f.notes.length);
  if (!r.notes.length && !files.length) return null;
  return (
    <section className="card" aria-labelledby="notes-title" data-testid="notes">
      <h2 id="notes-title">Notes</h2>
      {r.notes.length > 0 && <ul className="notes">{r.notes.map((n) => <li key={n}>{shownError(n)}</li>)}</ul>}
      {files.map((f) => (
        <div key={`${f.instrument ?? ''}|${f.dataType}|${f.path}`} className="file-notes" data-file={baseName(f.path)}>
          <h3 className="mono" title={f.path}>{baseName(f.path)} <span className="muted small">{TYPE_LABELS[f.dataType]} · {formatCount(f.rows)} rows · {formatCount(f.rejected)} rejected</span></h3>
          <ul className="file-note-list">{f.notes.map((n) => <li key={n}>{shownError(n)}</li>)}</ul>
        </div>
      ))}
    </section>
  );
}

/** The figures of one instrument of several, in a line. */
function SectionCounts({ r }: { r: RunReport }) {
  const parts = [
    `${formatCount(r.totals.written)} rows written`, `${formatCount(r.totals.duplicates)} duplicates`,
    `${formatCount(r.totals.rejected)} rejected`, `${formatCount(r.totals.outOfRange)} outside the days`,
    daysText(dayCounts(r.days)),
  ];
  return <p className="section-counts" data-testid="section-counts">{parts.join(' · ')}</p>;
}

/** One instrument of a job of several: what it is, its figures, its days; a failed one's errors first. */
function SectionCard({ r, index }: { r: RunReport; index: number }) {
  const stats = useApp((s) => s.result.sectionStats?.[r.instrument.id]);
  const spec = useApp((s) => s.lastSpec);
  const i = r.instrument;
  const facts = instrumentFacts(i);
  const label = sectionLabel(r);
  return (
    <div className="instrument-section" data-testid="result-section" data-instrument={label} data-ok={r.ok}>
      <div className="instrument-section-head">
        <h2 className="mono">{label}</h2>
        <Pill tone={r.ok ? 'done' : 'failed'}>{r.ok ? 'written' : 'failed'}</Pill>
        <span className="muted small">{facts.join(' · ')}{i.pricePrecision >= 0 && ` · price ${i.pricePrecision} / size ${i.sizePrecision} decimals (${i.precisionSource})`}</span>
      </div>
      {!r.ok && r.errors.length > 0 && (
        <div className="alert alert-error" role="alert"><ul className="notes">{r.errors.map((e) => <li key={e}>{shownError(e)}</li>)}</ul></div>
      )}
      <SectionCounts r={r} />
      {stats && stats.length > 0 && (
        <section className="card" aria-labelledby={`s${index}-chart-title`}>
          <h2 id={`s${index}-chart-title`}>Trades and close price per day</h2>
          <DayChart points={stats} start={spec?.start} end={spec?.end} />
        </section>
      )}
      {r.days.length > 0 && <DaysCard r={r} idPrefix={`s${index}-`} />}
    </div>
  );
}

export function ResultScreen() {
  const result = useApp((s) => s.result);
  const spec = useApp((s) => s.lastSpec);
  const r = result.report;
  const output = result.output ?? spec?.output ?? '';
  const v = result.verify;

  if (!r) {
    return (
      <div className="screen">
        <ScreenHeader title="Result" />
        {result.error ? <div className="alert alert-error" role="alert">{result.error}</div> : <Empty>No finished job yet.</Empty>}
      </div>
    );
  }
  return (
    <div className="screen">
      <ResultHeader r={r} output={output} />
      {/* A job of several shows each instrument's failures in its own section. */}
      {!r.ok && !r.sections?.length && <FailuresCard r={r} />}
      <Verdict partial={!r.ok} />
      <StatCards r={r} />
      {result.stats && result.stats.length > 0 && (
        <section className="card" aria-labelledby="chart-title">
          <h2 id="chart-title">Trades and close price per day</h2>
          <DayChart points={result.stats} start={spec?.start} end={spec?.end} />
        </section>
      )}
      {r.sections?.length
        ? r.sections.map((x, k) => <SectionCard key={`${k}|${sectionLabel(x)}`} r={x} index={k} />)
        : <DaysCard r={r} />}
      {r.totals.rejected > 0 && <RejectsCard r={r} />}
      <NotesCard r={r} />
      {v && v.summary.length > 0 && <CatalogSummary summary={v.summary} />}
    </div>
  );
}
