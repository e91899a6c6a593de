// Test stand-in for engine/jobs/worker.ts: ends its thread with exit code 3 and no outcome.
process.exit(3);
