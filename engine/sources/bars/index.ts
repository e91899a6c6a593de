// Bars: spec detection and naming, the close-time rule, gaps per UTC day, OHLCV checks and Binance
// Vision klines files. Jobs use them through csv/barspec.ts and jobs/barspec.ts. Design: docs/quotes-bars.md.
export * from './spec.js';
export * from './detect.js';
export * from './gaps.js';
export * from './ohlc.js';
export * from './vision.js';
