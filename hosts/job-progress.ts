// What a job's progress events said so far, kept by the host for a page that attaches to the job
// later (after a reload): each day's and each file's latest event, the job's latest, the last log
// lines. A day's latest event says everything the earlier ones did (see shared/progress-batch.ts).
import type { ProgressEvent } from '../shared/progress.js';

const LOG_LIMIT = 200;

export class JobProgress {
  /** day or file key -> its latest event, in the order each first appeared */
  private readonly latest = new Map<string, ProgressEvent>();
  private job: ProgressEvent | null = null;
  private log: ProgressEvent[] = [];
  private finished = 0;

  add(e: ProgressEvent): void {
    if (e.kind === 'job') {
      this.job = e;
      return;
    }
    if (e.kind === 'log') {
      this.log.push(e);
      if (this.log.length > LOG_LIMIT * 2) this.log = this.log.slice(-LOG_LIMIT);
      return;
    }
    const key = e.kind === 'day' ? `d|${e.instrument ?? ''}|${e.dataType}|${e.day}` : `f|${e.instrument ?? ''}|${e.dataType}|${e.path}`;
    if (e.kind === 'day') {
      const prev = this.latest.get(key);
      const was = prev?.kind === 'day' && isEnd(prev.state);
      if (isEnd(e.state) && !was) this.finished++;
      // A late "reading" never reopens a finished day (the page's reducer says the same).
      if (was && !isEnd(e.state)) return;
    }
    this.latest.set(key, e);
  }

  /** Drops the events (a finished job's page needs its report, not them), keeping the counts. */
  forget(): void {
    this.latest.clear();
    this.log = [];
  }

  /** Days (of each type and instrument) that have ended: done, already in the catalog, or failed. */
  daysFinished(): number {
    return this.finished;
  }

  /** The job's started event, each day's and file's latest, the log, and the job's end if it has ended. */
  events(): ProgressEvent[] {
    const started: ProgressEvent[] = this.job ? [{ kind: 'job', state: 'started' }] : [];
    const end = this.job && !(this.job.kind === 'job' && this.job.state === 'started') ? [this.job] : [];
    return [...started, ...this.latest.values(), ...this.log.slice(-LOG_LIMIT), ...end];
  }
}

function isEnd(state: string): boolean {
  return state === 'done' || state === 'skipped' || state === 'failed';
}
