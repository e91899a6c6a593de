// Bars: spec detection and naming, the close-time rule, gaps per UTC day and OHLCV checks (klines
// files are read by the CSV source). Jobs use them through csv/barspec.ts and jobs/barspec.ts. Design: docs/quotes-bars.md.
export * from './spec.js';
export * from './detect.js';
export * from './gaps.js';
export * from './ohlc.js';
