// Where a job's worker thread starts: worker.ts under tsx (development, tests), worker.js when built.
const HERE = import.meta.url;
const IS_TS = HERE.endsWith('.ts');
/** the job worker's entry module */
export const JOB_WORKER_URL = new URL(IS_TS ? './worker.ts' : './worker.js', HERE);
/** Node 20 does not run a .ts worker entry under --import tsx: this boot file registers tsx first */
export const WORKER_BOOT_URL = new URL('./worker-boot.mjs', HERE);
