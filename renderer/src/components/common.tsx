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
