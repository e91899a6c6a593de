// Small building blocks shared by the screens.
import type { ReactNode } from 'react';
import type { DataType } from '../../../shared/job.js';
import { TYPE_LABELS } from '../logic/dataTypes.js';
import type { Screen } from '../store/app.js';
import { useApp } from '../store/context.js';

export function ScreenHeader({ title, children, actions, tone }: { title: string; children?: ReactNode; actions?: ReactNode; tone?: string }) {
  return (
    <header className={`screen-header${tone ? ` header-${tone}` : ''}`}>
      <div>
        <h1 data-tone={tone}>{title}</h1>
        {children && <p className="lead">{children}</p>}
      </div>
      {actions && <div className="header-actions">{actions}</div>}
    </header>
  );
}

export function StepNav({ back, next, nextLabel, nextDisabled, onNext, hint }: {
  back?: Screen; next?: Screen; nextLabel?: string; nextDisabled?: boolean; onNext?: () => void; hint?: ReactNode;
}) {
  const go = useApp((s) => s.go);
  return (
    <footer className="step-nav">
      {back ? <button type="button" className="btn" onClick={() => go(back)}>← Back</button> : <span />}
      <div className="step-nav-right">
        {hint && <span className="muted small">{hint}</span>}
        {(next || onNext) && (
          <button type="button" className="btn primary" disabled={nextDisabled} onClick={() => (onNext ? onNext() : go(next!))}>
            {nextLabel ?? 'Next →'}
          </button>
        )}
      </div>
    </footer>
  );
}

export function ProgressBar({ percent, tone = 'active', label }: { percent: number; tone?: string; label: string }) {
  const p = Math.max(0, Math.min(100, percent));
  return (
    <div className={`bar bar-${tone}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={p}>
      <div className="bar-fill" style={{ width: `${p}%` }} />
    </div>
  );
}

export function SegmentedBar({ percent, segments, label }: { percent: number; segments: { tone: string; percent: number }[]; label: string }) {
  return (
    <div className="bar bar-segmented" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)}>
      {segments.map((g) => <div key={g.tone} className={`bar-seg seg-${g.tone}`} style={{ width: `${g.percent}%` }} />)}
    </div>
  );
}

export function Pill({ tone, children, title }: { tone: string; children: ReactNode; title?: string }) {
  return <span className={`pill pill-${tone}`} title={title}>{children}</span>;
}

export function TypeTabs({ types, value, onChange, label }: { types: DataType[]; value: DataType; onChange: (t: DataType) => void; label: string }) {
  if (types.length <= 1) return null;
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {types.map((t) => (
        <button key={t} type="button" role="tab" aria-selected={t === value} className={`tab${t === value ? ' active' : ''}`} onClick={() => onChange(t)}>
          {TYPE_LABELS[t]}
        </button>
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Browser mode: the folders the server lets paths point into, and how to allow more (nothing in the desktop app). */
export function AllowedFolders({ what = 'Files', id }: { what?: string; id?: string }) {
  const browserMode = useApp((s) => s.browserMode);
  const folders = useApp((s) => s.allowedFolders);
  if (!browserMode || !folders.length) return null;
  return (
    <p className="muted small allowed-folders" id={id} data-testid="allowed-folders">
      {what} must be inside{folders.length > 1 ? ' one of' : ''}: {folders.map((f, i) => <span key={f}>{i > 0 && ', '}<span className="mono">{f}</span></span>)}.
      {' '}To allow more, start the server with <span className="mono">--allow DIR</span>.
    </p>
  );
}

/** Puts text on the clipboard (the older way where the page may not use the Clipboard API). */
async function copyToClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // e.g. a page not served from a secure origin: fall back to a selected text area
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser did not allow copying');
}

/** Copies a path and says so (browser mode cannot open folders: the path is what the user can take away). */
export function CopyPathButton({ path }: { path: string }) {
  const notify = useApp((s) => s.notify);
  const copy = () => copyToClipboard(path).then(
    () => notify('info', `Copied: ${path}`),
    (e: unknown) => notify('error', `The path was not copied (${e instanceof Error ? e.message : String(e)}); select it on the page instead.`),
  );
  return <button type="button" className="btn small" onClick={() => void copy()} title={path}>Copy path</button>;
}
