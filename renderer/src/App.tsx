// The window: a stepper on the left, the current step on the right, notices, and file drops.
import { useEffect, useState, type DragEvent } from 'react';
import { REQUIRED_FIELDS } from '../../shared/job.js';
import { typesInUse } from './logic/files.js';
import { missingRequired } from './logic/mapping.js';
import { jobSymbols, layoutGroups } from './logic/job.js';
import { runSummary } from './logic/progressView.js';
import { isFinished } from './logic/progress.js';
import { shortOutcome } from './logic/result.js';
import { mappingSkipped } from './logic/books.js';
import { pathForFile } from './lib/api.js';
import { noticeMs } from './logic/shell.js';
import type { AppState, Screen } from './store/app.js';
import { useApp, useAppStore } from './store/context.js';
import { SourceScreen } from './screens/SourceScreen.js';
import { PreviewScreen } from './screens/PreviewScreen.js';
import { MappingScreen } from './screens/MappingScreen.js';
import { JobScreen } from './screens/JobScreen.js';
import { RunScreen } from './screens/RunScreen.js';
import { ResultScreen } from './screens/ResultScreen.js';

interface Step {
  id: Screen;
  title: string;
  detail: string;
  enabled: boolean;
  done: boolean;
}

export function steps(s: AppState): Step[] {
  const good = s.files.filter((f) => !f.info.error);
  const fileSource = s.source !== 'tardis';
  const types = typesInUse(s.files);
  // A type not looked at yet keeps the engine's automatic mapping.
  const unmapped = types.filter((t) => layoutGroups(s.files, t).some((g) => {
    const m = s.mappings[g.key];
    return !!m && missingRequired(m.columns, REQUIRED_FIELDS[t], g.files[0]!.info.columns).length > 0;
  }));
  const touched = types.filter((t) => layoutGroups(s.files, t).some((g) => s.mappings[g.key]?.touched));
  const sum = runSummary(s.run);
  const d = s.draft;
  // Several symbols ticked: "2 symbols"; else the one symbol.
  const who = jobSymbols(d).length > 1 ? `${jobSymbols(d).length} symbols` : d.symbol;
  return [
    {
      id: 'source', title: 'Source', enabled: true, done: fileSource ? good.length > 0 : true,
      detail: s.source === 'tardis' ? 'Tardis.dev download' : good.length ? `${good.length} file${good.length === 1 ? '' : 's'}` : 'Add files',
    },
    { id: 'preview', title: 'Live preview', enabled: fileSource && good.length > 0, done: false, detail: fileSource ? 'First 100 rows' : 'Not needed' },
    {
      id: 'mapping', title: 'Column mapping', enabled: s.source === 'csv' && good.length > 0, done: types.length > 0 && !unmapped.length,
      detail: s.source !== 'csv' ? 'Not needed' : !types.length ? 'No data yet' : unmapped.length ? `${unmapped.join(', ')}: incomplete` : touched.length ? 'Mapped by you'
        : mappingSkipped(s.files) ? 'Known layout: skipped' : 'Automatic',
    },
    {
      id: 'job', title: 'Job', enabled: !fileSource || good.length > 0, done: !!(d.start && d.end && d.output),
      detail: d.start && d.end ? `${who} · ${d.start === d.end ? d.start : `${d.start} → ${d.end}`}` : who,
    },
    { id: 'run', title: 'Run', enabled: s.run.status !== 'idle', done: s.run.status === 'done', detail: s.run.status === 'idle' ? 'Not started' : s.result.report && isFinished(s.run) && s.run.status !== 'cancelled' ? shortOutcome(s.result.report) : sum.title },
    {
      id: 'result', title: 'Result', enabled: !!s.result.report || s.run.status === 'done' || s.run.status === 'failed',
      // Verify speaks of what was written: a job with errors is never ticked off as verified.
      done: !!s.result.verify?.ok && s.result.report?.ok !== false,
      detail: s.result.verify ? (s.result.verify.ok ? (s.result.report?.ok === false ? 'Errors; written part verified' : 'Verified') : 'Problems found') : s.result.report ? 'Ready' : '—',
    },
  ];
}

function Stepper() {
  const state = useApp((s) => s);
  const go = useApp((s) => s.go);
  const list = steps(state);
  return (
    <nav className="stepper" aria-label="Steps">
      <ol>
        {list.map((st, i) => (
          <li key={st.id}>
            <button
              type="button"
              className={`step${state.screen === st.id ? ' current' : ''}${st.done ? ' done' : ''}`}
              aria-current={state.screen === st.id ? 'step' : undefined}
              disabled={!st.enabled}
              onClick={() => go(st.id)}
              data-step={st.id}
            >
              <span className="step-no" aria-hidden="true">{st.done && state.screen !== st.id ? '✓' : i + 1}</span>
              <span className="step-text">
                <span className="step-title">{st.title}</span>
                <span className="step-detail">{st.detail}</span>
              </span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/**
 * The latest notice, at the foot of the sidebar: in the layout, so it never covers the screen's
 * buttons. It closes by itself (an error after 8 s, an info sooner), not while the pointer or focus
 * is on it, and at once with ✕.
 */
function Notice() {
  const notice = useApp((s) => s.notice);
  const dismiss = useApp((s) => s.dismissNotice);
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (!notice || held) return;
    const t = setTimeout(dismiss, noticeMs(notice.kind));
    return () => clearTimeout(t);
  }, [notice, dismiss, held]);
  if (!notice) return null;
  return (
    <div
      className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice"
      onMouseEnter={() => setHeld(true)} onMouseLeave={() => setHeld(false)} onFocus={() => setHeld(true)} onBlur={() => setHeld(false)}
    >
      <span>{notice.text}</span>
      <button type="button" className="btn ghost small" onClick={dismiss} aria-label="Dismiss">✕</button>
    </div>
  );
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

export function App() {
  const screen = useApp((s) => s.screen);
  const browserMode = useApp((s) => s.browserMode);
  const store = useAppStore();
  const [dropping, setDropping] = useState(false);

  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDropping(false);
    const files = Array.from(e.dataTransfer.files);
    const paths = files.map(pathForFile).filter(Boolean);
    const s = store.getState();
    if (paths.length) {
      if (s.screen !== 'source') s.go('source');
      void s.addPaths(paths);
    } else if (files.length) {
      // A browser gives the names only: they go in the path box, the user adds the folder.
      if (s.screen !== 'source') s.go('source');
      if (s.source === 'tardis') s.setSource('csv');
      s.dropNames(files.map((f) => f.name));
    }
  };

  return (
    <div
      className="app"
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target || !e.relatedTarget) setDropping(false);
      }}
      onDrop={onDrop}
    >
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">▦</span>
          <div>
            <div className="brand-name">Catalog Builder</div>
            <div className="brand-sub">Market data → NautilusTrader</div>
          </div>
        </div>
        <Stepper />
        <Notice />
        <div className="sidebar-foot">{browserMode ? 'Browser mode · engine on this machine' : 'Desktop app'}</div>
      </aside>
      <main className="main" id="main">
        {screen === 'source' && <SourceScreen />}
        {screen === 'preview' && <PreviewScreen />}
        {screen === 'mapping' && <MappingScreen />}
        {screen === 'job' && <JobScreen />}
        {screen === 'run' && <RunScreen />}
        {screen === 'result' && <ResultScreen />}
      </main>
      {dropping && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop CSV or JSONL files to add them</div>
        </div>
      )}
    </div>
  );
}
