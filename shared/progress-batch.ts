// Progress events in batches: a job of decades of days sends tens of thousands of events in a
// second, and a page that repaints (or a socket that sends a frame) for each one freezes. The
// host queues each job's events and hands them over about every 100 ms; an event that a later one
// of the same day or file supersedes is dropped from the batch (the later one says all it said).
import type { ProgressEvent } from './progress.js';

/** What a later event of the same kind replaces: one day of one type (and instrument), one file. */
function supersedeKey(e: ProgressEvent): string | null {
  if (e.kind === 'day') return `d|${e.instrument ?? ''}|${e.dataType}|${e.day}`;
  if (e.kind === 'file') return `f|${e.instrument ?? ''}|${e.dataType}|${e.path}`;
  return null;
}

/**
 * The events of one job with every day or file event that a later one of the same day or file
 * supersedes left out; the rest keep their order. A day's or file's latest event says everything
 * the earlier ones did: rows and fraction only grow, and a finished day stays finished.
 */
export function coalesceEvents(events: readonly ProgressEvent[]): ProgressEvent[] {
  const last = new Map<string, number>();
  events.forEach((e, i) => {
    const k = supersedeKey(e);
    if (k) last.set(k, i);
  });
  return events.filter((e, i) => {
    const k = supersedeKey(e);
    return !k || last.get(k) === i;
  });
}

export interface ProgressBatcher {
  push(jobId: string, e: ProgressEvent): void;
  /** hands over every queued event now */
  flush(): void;
  /** stops the timer; queued events are dropped */
  close(): void;
}

/**
 * Queues events per job and hands each job's coalesced batch to `send` every `intervalMs`; a job's
 * own event (started, done, failed, cancelled) goes out at once, after what was queued before it.
 */
export function progressBatcher(send: (jobId: string, events: ProgressEvent[]) => void, intervalMs = 100): ProgressBatcher {
  const queued = new Map<string, ProgressEvent[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flushJob = (jobId: string) => {
    const q = queued.get(jobId);
    queued.delete(jobId);
    if (q?.length) send(jobId, coalesceEvents(q));
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    for (const jobId of [...queued.keys()]) flushJob(jobId);
  };
  return {
    push(jobId, e) {
      let q = queued.get(jobId);
      if (!q) queued.set(jobId, (q = []));
      q.push(e);
      if (e.kind === 'job') {
        flushJob(jobId);
        return;
      }
      timer ??= setTimeout(flush, intervalMs);
    },
    flush,
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      queued.clear();
    },
  };
}
