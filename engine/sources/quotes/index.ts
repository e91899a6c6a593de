// Quotes: row parsers for Tardis quotes and book snapshots,
// Binance bookTicker messages and Vision bookTicker CSV, and the quote checks. Design: docs/quotes-bars.md.
export * from './quote.js';
export * from './tardis.js';
export * from './binance.js';
