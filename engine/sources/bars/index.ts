// Bars groundwork (not wired into jobs yet): spec detection and naming, the close-time rule, gaps
// per UTC day, OHLCV checks and Binance Vision klines files. Design: docs/quotes-bars.md.
export * from './spec.js';
export * from './detect.js';
export * from './gaps.js';
export * from './ohlc.js';
export * from './vision.js';
