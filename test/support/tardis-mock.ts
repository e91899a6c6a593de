// A loopback mock of the Tardis.dev HTTP API (spec sources.md §1.6), started by the tests that use
// it on 127.0.0.1 with port 0. Replay minutes are built from real Binance messages (the JSONL
// fixtures) with a 28-character local timestamp in front; datasets come from the Tardis CSV
// fixtures, gzipped on the fly. Every request is logged; faults are injected per test.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SOURCES } from '../helpers.js';

export interface FeedMessage {
  /** local (receive) time, ns */
  localNs: bigint;
  /** the exchange message exactly as recorded: a Binance combined-stream envelope */
  json: string;
}

export type Fault =
  /** answer with this status (401, 403, 429, 500, …); 429 may carry Retry-After (seconds) */
  | { kind: 'status'; status: number; retryAfter?: number; body?: string }
  /** send the headers (full Content-Length) and half of the body, then cut the connection */
  | { kind: 'cut' }
  /** a complete response whose gzip body lacks its last bytes */
  | { kind: 'truncated-gzip' }
  /** send the headers and half of the body, then nothing more until the client goes away */
  | { kind: 'stall' };

export interface LoggedRequest {
  url: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  route: 'data-feeds' | 'datasets' | 'instruments' | 'other';
  /** UTC day the request is about (YYYY-MM-DD) */
  day?: string;
  status?: number;
  fault?: Fault['kind'];
  /** ms since the mock started */
  at: number;
}

interface FaultRule {
  fault: Fault;
  times: number;
  match?: (r: LoggedRequest) => boolean;
}

/** ns -> "2020-08-16T00:00:08.1501234Z": ISO 8601 with 7 fractional digits, exactly 28 characters. */
export function isoLocal(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const frac = String(ns % 1_000_000_000n).padStart(9, '0').slice(0, 7);
  return `${base}.${frac}Z`;
}

/** One replay line: "<28-char local ts> <json>". */
export const feedLine = (m: FeedMessage) => `${isoLocal(m.localNs)} ${m.json}`;

/** The event time E (ms) of a combined envelope or a raw payload. */
export function eventMs(json: string): number {
  const o = JSON.parse(json) as { data?: { E?: number } | { E?: number }[]; E?: number };
  const d = Array.isArray(o.data) ? o.data[0] : o.data ?? o;
  return Number(d?.E);
}

/**
 * Feed messages from a JSONL fixture of combined envelopes: local time = E + `delayNs` (Tardis's
 * local time is a few ms after E; the default keeps 100 ns digits so precision is exercised).
 */
export async function fixtureMessages(file = 'binance-usdm_ws_combined_tardis-node-test-messages_2019-2021.jsonl', delayNs = 150_123_400n): Promise<FeedMessage[]> {
  const text = await readFile(join(SOURCES, file), 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((json) => ({ localNs: BigInt(eventMs(json)) * 1_000_000n + delayNs, json }));
}

/** `{stream}` -> [symbol (lower case, '' for !…@arr), channel]: channel = the segment after the first '@'. */
function streamParts(stream: string): [string, string] {
  const at = stream.indexOf('@');
  if (at < 0) return ['', stream];
  const sym = stream.slice(0, at);
  return [sym.startsWith('!') ? '' : sym.toLowerCase(), stream.slice(at + 1).split('@')[0]!];
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Tardis derivative_ticker CSV rows built from markPriceUpdate messages the way tardis-node's
 * BinanceFuturesDerivativeTickerMapper does (spec §1.5): µs timestamps, funding only when r is
 * not empty and T is not 0, a row only when a value changed.
 */
export function derivativeTickerCsv(messages: FeedMessage[], exchange: string, symbol: string, day: string): string | null {
  const rows: string[] = [];
  let last = '';
  for (const m of messages) {
    const o = JSON.parse(m.json) as { data?: unknown };
    for (const d of (Array.isArray(o.data) ? o.data : [o.data]) as Record<string, unknown>[]) {
      if (!d || d.e !== 'markPriceUpdate' || String(d.s).toUpperCase() !== symbol) continue;
      const local = m.localNs / 1000n;
      if (dayOf(Number(local / 1000n)) !== day) continue;
      const funded = d.r !== '' && d.T !== 0;
      const values = [funded ? String(BigInt(d.T as number) * 1000n) : '', funded ? String(d.r) : '', '', '', '', String(d.i ?? ''), String(d.p)];
      const key = values.join(',');
      if (key === last) continue;
      last = key;
      rows.push([exchange, symbol, String(BigInt(d.E as number) * 1000n), String(local), ...values].join(','));
    }
  }
  if (!rows.length) return null;
  return 'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price\n' + rows.join('\n') + '\n';
}

export class TardisMock {
  /** API root for both `endpoint` and `datasets_endpoint`: http://127.0.0.1:<port>/v1 */
  url = '';
  requests: LoggedRequest[] = [];
  /** replay messages, sorted by local time */
  messages: FeedMessage[] = [];
  /** dataset CSV text by `${exchange}/${dataType}/${YYYY-MM-DD}/${SYMBOL}` */
  datasets = new Map<string, string>();
  /** instruments API answers (the JSON text, as Tardis sends it) by `${exchange}/${SYMBOL}`; others are 404 */
  instruments = new Map<string, string>();
  private faults: FaultRule[] = [];
  private sockets = new Set<Socket>();
  private t0 = Date.now();
  private server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts a mock serving `messages` (default: the JSONL fixture) and the Tardis trades CSV fixture. */
  static async start(opts: { messages?: FeedMessage[] } = {}): Promise<TardisMock> {
    const m = new TardisMock();
    m.setMessages(opts.messages ?? (await fixtureMessages()));
    const trades = await readFile(join(SOURCES, 'tardis-csv_trades_binance-futures_BTCUSDT_2020-02-22.csv'), 'utf8');
    m.datasets.set('binance-futures/trades/2020-02-22/BTCUSDT', trades);
    await new Promise<void>((res) => m.server.listen(0, '127.0.0.1', res));
    m.url = `http://127.0.0.1:${(m.server.address() as AddressInfo).port}/v1`;
    return m;
  }

  setMessages(messages: FeedMessage[]): void {
    this.messages = [...messages].sort((a, b) => (a.localNs < b.localNs ? -1 : a.localNs > b.localNs ? 1 : 0));
  }

  /** The next `times` requests that `match` (default: any) get `fault`. */
  inject(fault: Fault, opts: { times?: number; match?: (r: LoggedRequest) => boolean } = {}): void {
    this.faults.push({ fault, times: opts.times ?? 1, match: opts.match });
  }

  /** Requests of one route; without one, the data requests (instruments lookups are asked for by their route). */
  log(route?: LoggedRequest['route']): LoggedRequest[] {
    return route ? this.requests.filter((r) => r.route === route) : this.requests.filter((r) => r.route !== 'instruments');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((res) => this.server.close(() => res()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: LoggedRequest = {
      url: req.url ?? '', path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers, route: 'other', at: Date.now() - this.t0,
    };
    this.requests.push(entry);
    const json = (status: number, body: object, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };

    let body: Buffer | null = null;
    let headers: Record<string, string> = {};
    const feed = /^\/v1\/data-feeds\/([^/]+)$/.exec(u.pathname);
    const ds = /^\/v1\/([^/]+)\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)\.csv\.gz$/.exec(u.pathname);
    const inst = /^\/v1\/instruments\/([^/]+)\/([^/]+)$/.exec(u.pathname);
    let notFound = false;
    if (inst) {
      entry.route = 'instruments';
      const text = this.instruments.get(`${decodeURIComponent(inst[1]!)}/${decodeURIComponent(inst[2]!).toUpperCase()}`);
      if (text === undefined) notFound = true;
      else {
        body = Buffer.from(text);
        headers = { 'Content-Type': 'application/json' };
      }
    } else if (feed) {
      entry.route = 'data-feeds';
      const from = u.searchParams.get('from') ?? '';
      const fromMs = Date.parse(from);
      if (!/^\d{4}-\d{2}-\d{2}/.test(from) || Number.isNaN(fromMs)) return json(400, { code: 100, message: `Invalid "from" param: "${from}" is not in ISO 8601 format` });
      const offset = Number(u.searchParams.get('offset') ?? '0');
      if (!Number.isInteger(offset) || offset < 0) return json(400, { code: 100, message: 'Invalid "offset" param' });
      type Filter = { channel: string; symbols?: string[] };
      let parsed: Filter[] | null = null;
      if (u.searchParams.has('filters')) {
        try {
          parsed = JSON.parse(u.searchParams.get('filters')!) as Filter[];
        } catch {
          return json(400, { code: 100, message: 'Invalid "filters" param' });
        }
      }
      const filters = parsed;
      const startNs = BigInt(Math.floor(fromMs / 60_000) * 60_000 + offset * 60_000) * 1_000_000n;
      const endNs = startNs + 60_000_000_000n;
      entry.day = dayOf(Number(startNs / 1_000_000n));
      const lines = this.messages.filter((m) => {
        if (m.localNs < startNs || m.localNs >= endNs) return false;
        if (!filters) return true;
        const [sym, channel] = streamParts(String((JSON.parse(m.json) as { stream?: unknown }).stream ?? ''));
        return filters.some((f) => f.channel === channel && (!f.symbols || f.symbols.length === 0 || f.symbols.includes(sym)));
      }).map((m) => feedLine(m) + '\n');
      body = gzipSync(lines.join(''));
      headers = { 'Content-Type': 'application/x-json-stream', 'Content-Encoding': 'gzip', 'x-slice-size': '1', 'x-suggested-slice-size': '1' };
    } else if (ds) {
      entry.route = 'datasets';
      const [, exchange, dataType, y, mo, d, symbol] = ds;
      entry.day = `${y}-${mo}-${d}`;
      let csv = this.datasets.get(`${exchange}/${dataType}/${entry.day}/${symbol}`) ?? null;
      if (csv === null && dataType === 'derivative_ticker') csv = derivativeTickerCsv(this.messages, exchange!, symbol!, entry.day);
      if (csv === null) notFound = true;
      else {
        body = gzipSync(csv);
        headers = { 'Content-Type': 'application/gzip' };
      }
    } else {
      return json(404, { code: 404, message: `no route for ${u.pathname}` });
    }

    // A fault without `match` is for the data routes; an instruments lookup gets one only by matching it.
    const rule = this.faults.find((f) => f.times > 0 && (f.match ? f.match(entry) : entry.route !== 'instruments'));
    if (rule) {
      rule.times--;
      const f = rule.fault;
      entry.fault = f.kind;
      if (f.kind === 'status') {
        return json(f.status, { code: f.status, message: f.body ?? `injected ${f.status}` }, f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {});
      }
      const full = body ?? gzipSync('');
      if (f.kind === 'truncated-gzip') {
        const cut = full.subarray(0, Math.max(1, full.length - 12));
        entry.status = 200;
        res.writeHead(200, { ...headers, 'Content-Length': String(cut.length) });
        res.end(cut);
        return;
      }
      entry.status = 200;
      res.writeHead(200, { ...headers, 'Content-Length': String(full.length) });
      res.write(full.subarray(0, Math.max(1, full.length >> 1)));
      if (f.kind === 'cut') setTimeout(() => res.socket?.destroy(), 20);
      // 'stall': leave the response open; close() or the client ends it.
      return;
    }

    // Auth (both routes): no key or an empty one only on the first day of a month.
    const auth = req.headers.authorization ?? '';
    const key = /^Bearer\s+(\S.*)$/i.exec(auth)?.[1]?.trim() ?? '';
    if (!key && !entry.day?.endsWith('-01')) {
      return json(401, { code: 401, message: `Unauthorized: an API key is required for ${entry.day} (only the first day of each month is free)` });
    }
    if (notFound) return json(404, { code: 404, message: 'Not Found' });
    entry.status = 200;
    res.writeHead(200, { ...headers, 'Content-Length': String(body!.length) });
    res.end(body);
  }
}
