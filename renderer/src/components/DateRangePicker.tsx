// A two-month calendar: click the first day, then the last (UTC days). Arrow keys move between days.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { addDays, addMonths, daysBetween, inRange, monthGrid, monthLabel, monthOf, pickDay, toDay, WEEKDAYS, type Month, type Range } from '../logic/dates.js';

const longDate = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

export function DateRangePicker({ value, onChange, marked = [] }: { value: Range; onChange: (r: Range) => void; marked?: string[] }) {
  const [view, setView] = useState<Month>(() => monthOf(value.start ?? toDay(new Date())));
  const [hover, setHover] = useState<string | null>(null);
  const [focusDay, setFocusDay] = useState<string>(value.start ?? toDay(new Date()));
  const root = useRef<HTMLDivElement>(null);
  const wantFocus = useRef(false);

  // Show the chosen range when it is set from outside (file names, the sample).
  useEffect(() => {
    if (value.start) setView((v) => {
      const m = monthOf(value.start!);
      const shown = [v, addMonths(v, 1)].some((x) => x.year === m.year && x.month === m.month);
      return shown ? v : m;
    });
  }, [value.start]);

  useEffect(() => {
    if (!wantFocus.current) return;
    wantFocus.current = false;
    root.current?.querySelector<HTMLButtonElement>(`button[data-day="${focusDay}"]`)?.focus();
  }, [focusDay, view]);

  const onKey = (e: KeyboardEvent, day: string) => {
    const step: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    const n = step[e.key];
    if (n === undefined) return;
    e.preventDefault();
    const next = addDays(day, n);
    const m = monthOf(next);
    const first = view, second = addMonths(view, 1);
    const visible = [first, second].some((x) => x.year === m.year && x.month === m.month);
    if (!visible) setView(n < 0 ? m : addMonths(m, -1));
    wantFocus.current = true;
    setFocusDay(next);
    setHover(next);
  };

  const months = [view, addMonths(view, 1)];
  const fm = monthOf(focusDay);
  const tabDay = months.some((x) => x.year === fm.year && x.month === fm.month) ? focusDay : toDay(new Date(Date.UTC(view.year, view.month, 1)));
  const count = value.start && value.end ? daysBetween(value.start, value.end).length : 0;
  return (
    <div className="calendar" ref={root} onMouseLeave={() => setHover(null)}>
      <div className="cal-nav">
        <button type="button" className="btn ghost small" onClick={() => setView(addMonths(view, -1))} aria-label="Previous month">‹</button>
        <span className="cal-summary" aria-live="polite" data-testid="range-summary">
          {value.start && value.end
            ? `${value.start} → ${value.end} · ${count} day${count === 1 ? '' : 's'}`
            : value.start ? `From ${value.start}: now pick the last day` : 'Pick the first day'}
        </span>
        <button type="button" className="btn ghost small" onClick={() => setView(addMonths(view, 1))} aria-label="Next month">›</button>
      </div>
      <div className="cal-months">
        {months.map((m) => (
          <div key={`${m.year}-${m.month}`} className="cal-month">
            <div className="cal-title">{monthLabel(m)}</div>
            <table className="cal-grid" role="grid" aria-label={monthLabel(m)}>
              <thead>
                <tr>{WEEKDAYS.map((w) => <th key={w} scope="col" abbr={w}>{w}</th>)}</tr>
              </thead>
              <tbody>
                {monthGrid(m).map((week, wi) => (
                  <tr key={wi}>
                    {week.map((d, di) => {
                      if (!d) return <td key={di} />;
                      const sel = inRange(value, d, hover);
                      const edge = d === value.start || d === value.end;
                      return (
                        <td key={di}>
                          <button
                            type="button"
                            data-day={d}
                            className={`cal-day${sel ? ' in-range' : ''}${edge ? ' edge' : ''}${marked.includes(d) ? ' marked' : ''}`}
                            aria-pressed={edge || (sel && !!value.end)}
                            aria-label={`${longDate(d)}${marked.includes(d) ? ', a file names this day' : ''}`}
                            tabIndex={d === tabDay ? 0 : -1}
                            onClick={() => {
                              setFocusDay(d);
                              onChange(pickDay(value, d));
                            }}
                            onMouseEnter={() => setHover(d)}
                            onFocus={() => setHover(d)}
                            onKeyDown={(e) => onKey(e, d)}
                          >
                            {Number(d.slice(8))}
                          </button>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
      <p className="muted small">Days are UTC. Click the first day, then the last; arrow keys move between days.</p>
    </div>
  );
}
