// Quotes: the quote checks (crossed, empty, zero or negative size) the normaliser applies. The rows
// themselves are read by the CSV source (csv/plan.ts, rows.ts, fast.ts) and the Binance message
// parser (binance/parser.ts). Design: docs/quotes-bars.md.
export * from './quote.js';
