// A saved answer of Tardis.dev's instruments API (GET /v1/instruments/<exchange>: an array of
// instrument records, or one record) as definitions, each as in force at the job's first day
// (engine/instruments/tardis-api.ts builds them, as NautilusTrader's Tardis parser does).
import { definitionFromTardis, TardisInstrumentError } from '../tardis-api.js';
import { tardisMarket, type MarketKey } from '../markets.js';
import { isRec, readRecords, RecordError, type ListFormat, type ListRead, type Rec } from './common.js';

const isTardisRecord = (r: unknown): r is Rec => isRec(r) && 'exchange' in r && 'priceIncrement' in r && 'amountIncrement' in r && 'type' in r;

const recordsOf = (json: unknown): Rec[] => (Array.isArray(json) ? json.filter(isTardisRecord) : isTardisRecord(json) ? [json] : []);

function record(r: Rec, atNs: bigint | undefined, file: string) {
  const market = tardisMarket(String(r.exchange), String(r.id ?? ''));
  if (!market) throw new RecordError(`the Tardis exchange ${JSON.stringify(r.exchange)} is not a market this tool maps`);
  try {
    return { ...definitionFromTardis(r, market, atNs, `${file} ${String(r.id)}`), source: `Tardis instruments ${file}` };
  } catch (e) {
    if (e instanceof TardisInstrumentError) throw new RecordError(e.message.replace(`${file} ${String(r.id)}: `, ''));
    throw e;
  }
}

export const TARDIS: ListFormat = {
  name: 'Tardis instruments',
  recognise(json) {
    return recordsOf(json).length ? 'Tardis instruments API answer' : null;
  },
  read(json, file, atNs): ListRead {
    const recs = recordsOf(json);
    const markets = [...new Set(recs.map((r) => tardisMarket(String(r.exchange), String(r.id ?? ''))).filter((m): m is MarketKey => m !== null))];
    return { markets, ...readRecords(recs, 'id', (r) => record(r, atNs, file)) };
  },
};
