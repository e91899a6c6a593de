// The finished job's rejected rows, read from the engine a page at a time (Api.rejects): file, line,
// field, the whole reason and the value as read, with a filter by reason that shows each one's count.
import { printable } from '../../../shared/text.js';
import type { RunReport } from '../../../shared/report.js';
import { baseName, formatCount } from '../logic/format.js';
import { REJECTS_PAGE } from '../store/result.js';
import { useApp } from '../store/context.js';

/** A value as read from the file: printable, cut (the engine already cut it at 200 characters); binary junk only said to be so. */
function shownValue(v: string): string {
  const shown = printable(v, 80);
  return shown.includes('[binary data]') ? '[binary data]' : shown;
}

function ReasonFilter() {
  const view = useApp((s) => s.result.rejects);
  const load = useApp((s) => s.loadRejects);
  const page = view?.page;
  if (!page) return null;
  return (
    <div className="reason-filter" role="group" aria-label="Filter by reason" data-testid="reason-filter">
      <button type="button" className={`chip${view.reason === null ? ' on' : ''}`} aria-pressed={view.reason === null} onClick={() => void load({ reason: null })}>
        All reasons <span className="chip-n">{formatCount(page.all)}</span>
      </button>
      {page.reasons.map((r) => (
        <button key={r.reason} type="button" className={`chip${view.reason === r.reason ? ' on' : ''}`} aria-pressed={view.reason === r.reason}
          data-reason={r.reason} onClick={() => void load({ reason: r.reason })}>
          {printable(r.reason, 120)} <span className="chip-n">{formatCount(r.count)}</span>
        </button>
      ))}
    </div>
  );
}

function RejectsTable({ several }: { several: boolean }) {
  const view = useApp((s) => s.result.rejects);
  const load = useApp((s) => s.loadRejects);
  const page = view?.page;
  if (!page) return null;
  const last = Math.min(page.total, page.offset + page.rows.length);
  return (
    <>
      <table className="table rejects-table" data-testid="rejects-table">
        <thead>
          <tr>
            {several && <th scope="col">Instrument</th>}
            <th scope="col">File</th><th scope="col" className="num">Line</th><th scope="col">Field</th><th scope="col">Reason</th><th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((r) => (
            <tr key={`${r.instrument ?? ''}|${r.file}|${r.line}|${r.field}`} data-line={r.line}>
              {several && <td className="mono small">{r.instrument}</td>}
              <td className="mono small file-cell" title={r.file}>{baseName(r.file)}</td>
              <td className="num">{r.line}</td>
              <td className="mono small">{r.field}</td>
              <td className="reason-cell">{printable(r.reason)}</td>
              <td className="mono small value-cell">{shownValue(r.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <span className="muted small" data-testid="rejects-range">{page.total ? `rows ${formatCount(page.offset + 1)}–${formatCount(last)} of ${formatCount(page.total)}` : 'no rows'}</span>
        <button type="button" className="btn small" disabled={page.offset === 0 || view.loading} onClick={() => void load({ offset: Math.max(0, page.offset - REJECTS_PAGE) })}>← Previous</button>
        <button type="button" className="btn small" disabled={last >= page.total || view.loading} onClick={() => void load({ offset: page.offset + REJECTS_PAGE })}>Next →</button>
      </div>
    </>
  );
}

export function RejectsCard({ r }: { r: RunReport }) {
  const view = useApp((s) => s.result.rejects);
  const load = useApp((s) => s.loadRejects);
  return (
    <section className="card" aria-labelledby="rejects-title" data-testid="rejects">
      <div className="card-head">
        <h2 id="rejects-title">Rejected rows <span className="muted small">{formatCount(r.totals.rejected)}</span></h2>
        {!view && <button type="button" className="btn" onClick={() => void load({ reason: null })}>Show rejected rows</button>}
        {view?.loading && <span className="muted small">Loading…</span>}
      </div>
      {view?.error && <div className="alert alert-error" role="alert">{view.error}</div>}
      <ReasonFilter />
      <RejectsTable several={!!r.sections?.length} />
    </section>
  );
}
