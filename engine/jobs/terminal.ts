// Progress bars on a terminal: one line per data type and day, redrawn in place.
import type { ProgressEvent } from '../../shared/progress.js';
import { grouped } from '../../shared/text.js';

function fmtRate(r: number): string {
  if (r >= 1e6) return (r / 1e6).toFixed(2) + 'M/s';
  if (r >= 1e3) return (r / 1e3).toFixed(1) + 'k/s';
  return Math.round(r) + '/s';
}
function fmtEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  if (s < 60) return `ETA ${Math.ceil(s)}s`;
  return `ETA ${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

export class TerminalProgress {
  private lines = new Map<string, string>();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private file = '';

  constructor(private out: NodeJS.WriteStream) {}

  handle(e: ProgressEvent): void {
    if (e.kind === 'day') {
      const width = 24;
      const filled = Math.round(e.fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const tail = e.state === 'done' ? `${grouped(e.written ?? 0)} rows written`
        : e.state === 'skipped' ? 'already in the catalog, skipped'
        : e.state === 'failed' ? `FAILED: ${e.error ?? ''}`
        : `${grouped(e.state === 'writing' ? e.written ?? 0 : e.rows)} rows  ${fmtRate(e.rowsPerSec)}  ${fmtEta(e.etaSec)}`;
      // A job of several instruments: one line per instrument, type and day.
      const who = e.instrument ? `${e.instrument} ` : '';
      this.lines.set(`${who}${e.dataType} ${e.day}`, `${who}${e.dataType.padEnd(7)} ${e.day} ${bar} ${e.state.padEnd(7)} ${tail}`);
    } else if (e.kind === 'file') {
      this.file = e.state === 'reading' ? `reading ${e.path} ${Math.round((e.bytesRead / Math.max(e.bytesTotal, 1)) * 100)}%  ${fmtRate(e.rowsPerSec)} ${fmtEta(e.etaSec)}` : '';
    }
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.draw();
    }, 80);
  }

  private draw(): void {
    const cols = this.out.columns || 120;
    const rows = [...this.lines.values(), ...(this.file ? [this.file] : [])].map((l) => (l.length > cols - 1 ? l.slice(0, cols - 2) + '…' : l));
    let s = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const r of rows) s += `\x1b[2K${r}\n`;
    for (let k = rows.length; k < this.drawn; k++) s += '\x1b[2K\n';
    this.out.write(s);
    this.drawn = Math.max(rows.length, this.drawn);
  }

  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.file = '';
    this.draw();
  }
}
