// Regenerates resources/sample (committed; this documents how it was made).
import { genTardisTicker, genTardisTrades } from './gen-data.js';
const dir = new URL('../resources/sample/', import.meta.url).pathname;
const days = ['2024-01-01', '2024-01-02', '2024-01-03'];
let price = 42000;
for (const [k, day] of days.entries()) {
  await genTardisTrades({ path: `${dir}binance-futures_trades_${day}_BTCUSDT.csv.gz`, rows: 4000, start: day, days: 1, seed: 10 + k, startPrice: price, firstId: 3_500_000_000 + k * 4000 });
  price += 300;
}
await genTardisTicker({ path: `${dir}binance-futures_derivative_ticker_2024-01-01_BTCUSDT.csv.gz`, start: '2024-01-01', days: 3, everySec: 60, gzip: true });
