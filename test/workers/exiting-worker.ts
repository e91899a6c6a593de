// Test stand-in for pipeline/jobs/worker.ts: ends its thread with exit code 3 and no outcome.
process.exit(3);
