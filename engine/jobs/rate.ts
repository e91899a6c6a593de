// Progress figures that mean something: a rate and an ETA only once enough time has passed (a first
// batch 1 ms in is not "2,500M rows/s", and its ETA is noise).

/** Seconds of work before a rate or an ETA is given. */
export const MIN_RATE_SECONDS = 0.5;

/** Per second, after MIN_RATE_SECONDS; 0 (shown as nothing) before. */
export function rateOf(count: number, secs: number): number {
  return secs >= MIN_RATE_SECONDS ? count / secs : 0;
}

/** Seconds left for `done` (0..1) of the work after `secs`; null while too early or too little is done. */
export function etaOf(done: number, secs: number): number | null {
  return secs >= MIN_RATE_SECONDS && done > 0.01 ? (secs / done) * (1 - done) : null;
}
