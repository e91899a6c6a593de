// Binance USD-M order books: depth snapshots and diffs synced by Binance's rules ("How to manage a
// local order book correctly"), written as OrderBookDelta through the Normalizer.
//   - updates are applied after a snapshot; one whose final update id u is below the snapshot's
//     lastUpdateId is older than it: skipped (counted, a file note), the snapshot holds it;
//   - the first applied update has U <= lastUpdateId <= u; each later one has pu = the previous u;
//     otherwise the ids have a gap: a file note (line, time), and updates are rejected (the reason
//     names the gap) until the next snapshot.
// Flags follow NautilusTrader's live Binance adapter, not its BinanceOrderBookDeltaDataLoader: that
// loader gives no F_LAST at all and one CLEAR only before a file's first row, so a backtest could
// neither tell where an event ends nor reset the book at a later snapshot. Here each snapshot starts
// with a CLEAR (F_SNAPSHOT, sequence lastUpdateId), its ADDs carry F_SNAPSHOT (as the loader marks
// snap rows), each message's last delta adds F_LAST, sequence = u (the loader's last_update_id).
import type { Normalizer } from '../../normalize/normalizer.js';
import { nsToIso } from '../../catalog/paths.js';

/** One level of a snapshot or diff: side BOOK_BUY / BOOK_SELL, price and quantity as decimal text (0 deletes). */
export interface DepthLevel {
  side: number;
  price: string;
  size: string;
}

/** A diff's ids: U first update id, u final (the sequence), pu the previous diff's u. */
export interface DepthIds {
  first: bigint;
  last: bigint;
  prev: bigint;
}

/** What to do with the levels of one event. */
type Decision = { kind: 'apply'; event: number; seq: bigint; tsInit: bigint } | { kind: 'skip' } | { kind: 'reject'; field: string; reason: string };

export const BEFORE_SNAPSHOT = 'an update before any snapshot: the book it changes is unknown (give the depth snapshot it was synced from first: a T_DEPTH snapshot file before the update file, or snapshot_path)';

/** The sync state of one data type's run (one Normalizer), kept across its files; notes per file. */
export class DepthSync {
  private snapId: bigint | null = null;
  private snapTsInit = 0n;
  /** u of the last applied update; null: none since the snapshot */
  private lastU: bigint | null = null;
  /** why updates are rejected until the next snapshot (a gap) */
  private gap: string | null = null;
  private event = 0;
  /** CSV rows: the event the last row belonged to, and its decision */
  private rowKey = '';
  private rowDecision: Decision = { kind: 'skip' };
  /** this file's tallies, for its notes */
  private older = 0;
  private gaps: string[] = [];
  private gapCount = 0;
  private afterGap = 0;
  private raised = 0;
  snapshots = 0;

  constructor(private readonly norm: Normalizer) {}

  /** A snapshot starts: the book is rebuilt from it (a gap before it is healed). Returns its event. */
  snapshot(lastUpdateId: bigint, tsInit: bigint): number {
    this.snapId = lastUpdateId;
    this.snapTsInit = tsInit;
    this.lastU = null;
    this.gap = null;
    this.snapshots++;
    return ++this.event;
  }

  snapshotLevel(line: number, tsEvent: bigint, tsInit: bigint, l: DepthLevel, event: number): void {
    this.norm.delta(line, tsEvent, tsInit, true, l.side, l.price, l.size, this.snapId ?? 0n, event);
  }

  /** Decides an update event by the sync rules. */
  update(line: number, tsEvent: bigint, tsInit: bigint, ids: DepthIds): Decision {
    if (this.snapId === null) return { kind: 'reject', field: 'update_type', reason: BEFORE_SNAPSHOT };
    if (this.gap) return { kind: 'reject', field: 'pu', reason: this.gap };
    let broken: string | null = null;
    if (this.lastU === null) {
      if (ids.last < this.snapId) return { kind: 'skip' };
      if (ids.first > this.snapId) broken = `the first update after the snapshot (lastUpdateId ${this.snapId}) starts at U=${ids.first}: the updates between are missing`;
    } else if (ids.prev !== this.lastU) {
      broken = `pu ${ids.prev}, but the previous update ended at u=${this.lastU}`;
    }
    if (broken) {
      const at = `line ${line} (${nsToIso(tsEvent)})`;
      this.gapCount++;
      if (this.gaps.length < 3) this.gaps.push(`at ${at}: ${broken}`);
      this.gap = `after the gap in the update ids at ${at}: updates are rejected until the next snapshot`;
      return { kind: 'reject', field: 'pu', reason: this.gap };
    }
    this.lastU = ids.last;
    // Sorting by ts_init must keep an update after the snapshot it applies to.
    const at = tsInit < this.snapTsInit ? this.snapTsInit : tsInit;
    return { kind: 'apply', event: ++this.event, seq: ids.last, tsInit: at };
  }

  /** One level of an update event, as decided. */
  updateLevel(line: number, tsEvent: bigint, tsInit: bigint, l: DepthLevel, d: Decision): void {
    if (d.kind === 'apply') {
      if (d.tsInit !== tsInit) this.raised++;
      this.norm.delta(line, tsEvent, d.tsInit, false, l.side, l.price, l.size, d.seq, d.event);
    } else if (d.kind === 'skip') {
      this.older++;
      this.norm.skip(tsInit);
    } else {
      if (d.field === 'pu') this.afterGap++;
      this.norm.rejectUnplaced(line, d.field, d.reason, `${l.price} x ${l.size}`, tsInit);
    }
  }

  /**
   * A Binance T_DEPTH CSV row: rows of one event share update_type and last_update_id, and the
   * event is decided at its first row.
   */
  csvRow(line: number, tsEvent: bigint, tsInit: bigint, isSnapshot: boolean, ids: DepthIds, l: DepthLevel): void {
    const key = `${isSnapshot ? 's' : 'u'}${ids.last}`;
    if (key !== this.rowKey) {
      this.rowKey = key;
      if (isSnapshot) {
        const event = this.snapshot(ids.last, tsInit);
        this.rowDecision = { kind: 'apply', event, seq: ids.last, tsInit };
      } else {
        this.rowDecision = this.update(line, tsEvent, tsInit, ids);
      }
    }
    const d = this.rowDecision;
    if (isSnapshot && d.kind === 'apply') return this.snapshotLevel(line, tsEvent, tsInit, l, d.event);
    this.updateLevel(line, tsEvent, tsInit, l, d);
  }

  /** The file's notes (its tallies start again for the next file). */
  takeNotes(): string[] {
    const n: string[] = [];
    if (this.older) n.push(`${this.older} update level(s) older than the snapshot (final update id u below its lastUpdateId) skipped: the snapshot already holds them`);
    if (this.gapCount) n.push(`${this.gapCount} gap(s) in the update ids (pu is not the previous update's u), ${this.gaps.join('; ')}${this.gapCount > this.gaps.length ? '; …' : ''}; ${this.afterGap} update level(s) after them rejected until the next snapshot`);
    else if (this.afterGap) n.push(`${this.afterGap} update level(s) rejected: they follow a gap in the update ids that no snapshot has healed yet`);
    if (this.raised) n.push(`ts_init raised to the snapshot's time for ${this.raised} update level(s) received before it, so that sorting by ts_init keeps them after the book they change`);
    this.older = this.gapCount = this.afterGap = this.raised = 0;
    this.gaps = [];
    this.rowKey = '';
    return n;
  }
}

/** The run's sync (one per Normalizer: a snapshot file and the update files after it share it). */
const SYNCS = new WeakMap<Normalizer, DepthSync>();

export function depthSync(norm: Normalizer): DepthSync {
  let s = SYNCS.get(norm);
  if (!s) SYNCS.set(norm, (s = new DepthSync(norm)));
  return s;
}

/** The notes of the file just read, when the run reads Binance depth. */
export function depthNotes(norm: Normalizer): string[] {
  return SYNCS.get(norm)?.takeNotes() ?? [];
}
