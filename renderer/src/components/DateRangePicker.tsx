// A two-month calendar: click the first day, then the last (UTC days). Arrow keys move between days.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import {
  addDays, addMonths, arrowStep, inRange, isShown, monthGrid, monthLabel, monthOf, pickDay, rangeSummary, startDay, tabDay, toDay,
  validRange, viewFor, viewReaching, WEEKDAYS, type Month, type Range,
} from '../logic/dates.js';

const longDate = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** The calendar's own state: which months are shown, the hovered and the focused day, arrow-key moves. */
function useCalendar(value: Range) {
  const [view, setView] = useState<Month>(() => monthOf(startDay(value.start, toDay(new Date()))));
  const [hover, setHover] = useState<string | null>(null);
  const [focusDay, setFocusDay] = useState<string>(() => startDay(value.start, toDay(new Date())));
  const root = useRef<HTMLDivElement>(null);
  const wantFocus = useRef(false);

  // Show the chosen range when it is set from outside (file names, the sample, typing); text that
  // is not a real day yet keeps the months shown.
  useEffect(() => {
    setView((v) => viewFor(v, value.start));
  }, [value.start]);

  useEffect(() => {
    if (!wantFocus.current) return;
    wantFocus.current = false;
    root.current?.querySelector<HTMLButtonElement>(`button[data-day="${focusDay}"]`)?.focus();
  }, [focusDay, view]);

  const onKey = (e: KeyboardEvent, day: string) => {
    const n = arrowStep(e.key);
    if (n === undefined) return;
    e.preventDefault();
    const next = addDays(day, n);
    if (!isShown(view, next)) setView(viewReaching(next, n));
    wantFocus.current = true;
    setFocusDay(next);
    setHover(next);
  };
  return { view, setView, hover, setHover, focusDay, setFocusDay, root, onKey };
}

interface DayProps {
  value: Range;
  hover: string | null;
  marked: string[];
  tabDay: string;
  onPick: (d: string) => void;
  onHover: (d: string) => void;
  onKey: (e: KeyboardEvent, d: string) => void;
}

function DayButton({ d, value, hover, marked, tabDay, onPick, onHover, onKey }: DayProps & { d: string }) {
  const sel = inRange(value, d, hover);
  const edge = d === value.start || d === value.end;
  return (
    <button
      type="button"
      data-day={d}
      className={`cal-day${sel ? ' in-range' : ''}${edge ? ' edge' : ''}${marked.includes(d) ? ' marked' : ''}`}
      aria-pressed={edge || (sel && !!value.end)}
      aria-label={`${longDate(d)}${marked.includes(d) ? ', a file names this day' : ''}`}
      tabIndex={d === tabDay ? 0 : -1}
      onClick={() => onPick(d)}
      onMouseEnter={() => onHover(d)}
      onFocus={() => onHover(d)}
      onKeyDown={(e) => onKey(e, d)}
    >
      {Number(d.slice(8))}
    </button>
  );
}

function CalendarMonth({ m, ...day }: DayProps & { m: Month }) {
  return (
    <div className="cal-month">
      <div className="cal-title">{monthLabel(m)}</div>
      <table className="cal-grid" role="grid" aria-label={monthLabel(m)}>
        <thead>
          <tr>{WEEKDAYS.map((w) => <th key={w} scope="col" abbr={w}>{w}</th>)}</tr>
        </thead>
        <tbody>
          {monthGrid(m).map((week, wi) => (
            <tr key={wi}>
              {week.map((d, di) => (d ? <td key={di}><DayButton d={d} {...day} /></td> : <td key={di} />))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DateRangePicker({ value: typed, onChange, marked = [] }: { value: Range; onChange: (r: Range) => void; marked?: string[] }) {
  const value = validRange(typed);
  const cal = useCalendar(value);
  const { view, setView } = cal;
  const pick = (d: string) => {
    cal.setFocusDay(d);
    onChange(pickDay(value, d));
  };
  const day: DayProps = { value, hover: cal.hover, marked, tabDay: tabDay(view, cal.focusDay), onPick: pick, onHover: cal.setHover, onKey: cal.onKey };
  return (
    <div className="calendar" ref={cal.root} onMouseLeave={() => cal.setHover(null)}>
      <div className="cal-nav">
        <button type="button" className="btn ghost small" onClick={() => setView(addMonths(view, -1))} aria-label="Previous month">‹</button>
        <span className="cal-summary" aria-live="polite" data-testid="range-summary">{rangeSummary(value)}</span>
        <button type="button" className="btn ghost small" onClick={() => setView(addMonths(view, 1))} aria-label="Next month">›</button>
      </div>
      <div className="cal-months">
        {[view, addMonths(view, 1)].map((m) => <CalendarMonth key={`${m.year}-${m.month}`} m={m} {...day} />)}
      </div>
      <p className="muted small">Days are UTC. Click the first day, then the last; arrow keys move between days.</p>
    </div>
  );
}
