// Order-book deltas of one file, by NautilusTrader's own Tardis loader rules (load_deltas in
// crates/adapters/tardis/src/csv/load.rs, checked against 1.231.0 in test/nautilus/books.test.ts):
// a CLEAR delta (flags F_SNAPSHOT) before each snapshot, F_LAST on the last delta of each event (a
// run of equal ts_event), flags otherwise 0, sequence 0 unless the source has one. A delta is held
// back until the next one says whether it ends its event; the file's last one ends it too.
// A venue's own feed (Binance depth: engine/sources/binance/depth.ts) says where its events are:
// `venueRow` takes the caller's event number, marks snapshot rows F_SNAPSHOT and adds F_LAST to an
// event's last delta, as NautilusTrader's live Binance adapter flags them.
// The levels are tracked to tell when an event leaves the book crossed (a note, not a reject: the
// venue sent those updates, and dropping one would leave the book wrong from then on).
import { ACTION_CLEAR, ACTION_DELETE, BOOK_BUY, BOOK_NO_SIDE, F_LAST, F_SNAPSHOT } from '../datatypes/index.js';

/**
 * One delta, held until its flags are final. Numbers only (no BigInt on the CSV fast path): times as
 * unsigned 64-bit halves, price and size either as raw fixed-point BigInts (the complete path) or,
 * with `priceRaw` / `sizeRaw` null, as mant / 10^scale (the fast path). DeltaFile owns three of
 * them and reuses them, so a file's deltas allocate nothing per row.
 */
export interface HeldDelta {
  line: number;
  evLo: number;
  evHi: number;
  initLo: number;
  initHi: number;
  /** ts_init's UTC day (days since the epoch) */
  day: number;
  action: number;
  side: number;
  priceRaw: bigint | null;
  priceMant: number;
  priceScale: number;
  sizeRaw: bigint | null;
  sizeMant: number;
  sizeScale: number;
  flags: number;
  sequence: bigint;
  /** a CLEAR the loader adds (counted as added, not read) */
  added: boolean;
  /** its day is outside the job: it only moves the state on */
  outside: boolean;
  /** the level's price as a number, for the crossed check */
  px: number;
}

function emptyDelta(): HeldDelta {
  return {
    line: 0, evLo: 0, evHi: 0, initLo: 0, initHi: 0, day: 0, action: 0, side: 0, priceRaw: null, priceMant: 0, priceScale: 0,
    sizeRaw: null, sizeMant: 0, sizeScale: 0, flags: 0, sequence: 0n, added: false, outside: false, px: 0,
  };
}

/** The price levels of one side, sorted ascending (prices as doubles: their order is exact for up to 15 digits). */
class Levels {
  private a = new Float64Array(64);
  n = 0;

  private find(p: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.a[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(p: number): void {
    const i = this.find(p);
    if (i < this.n && this.a[i] === p) return;
    if (this.n === this.a.length) {
      const b = new Float64Array(this.n * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a.copyWithin(i + 1, i, this.n);
    this.a[i] = p;
    this.n++;
  }

  delete(p: number): void {
    const i = this.find(p);
    if (i >= this.n || this.a[i] !== p) return;
    this.a.copyWithin(i, i + 1, this.n);
    this.n--;
  }

  clear(): void {
    this.n = 0;
  }

  get lowest(): number {
    return this.n ? this.a[0]! : Infinity;
  }

  get highest(): number {
    return this.n ? this.a[this.n - 1]! : -Infinity;
  }
}

/** Events that left the book crossed: how many, and the first one. */
export interface CrossedBook {
  count: number;
  first: { line: number; tsEvent: bigint; bid: number; ask: number } | null;
}

export class DeltaFile {
  private lastEvLo = 0;
  private lastEvHi = 0;
  private lastIsSnapshot = false;
  /** venueRow: the event of the held delta, and whether flags are venue ones (F_LAST added, not replacing) */
  private lastEvent = -1;
  private venue = false;
  /** a snapshot row has been seen (updates before it change a book nobody knows) */
  seenSnapshot = false;
  private slots = [emptyDelta(), emptyDelta(), emptyDelta()];
  /** the slot the caller fills with the next row before calling row() */
  next = this.slots[0]!;
  private held: HeldDelta | null = null;
  private bids = new Levels();
  private asks = new Levels();
  readonly crossed: CrossedBook = { count: 0, first: null };

  /** `write` places a delta whose flags are final (or drops it when it is outside the job); it must not keep it. */
  constructor(private write: (d: HeldDelta) => void) {}

  /**
   * A valid row, from `next`: the CLEAR it starts (a snapshot at a new ts_event), then the row
   * itself. The row's action is decided by the caller (amount 0 deletes, a snapshot adds, else updates).
   */
  row(isSnapshot: boolean): void {
    const d = this.next;
    const newEvent = d.evLo !== this.lastEvLo || d.evHi !== this.lastEvHi;
    if (isSnapshot && (!this.lastIsSnapshot || newEvent)) {
      if (newEvent) this.endEvent();
      this.lastEvLo = d.evLo;
      this.lastEvHi = d.evHi;
      this.hold(this.clearOf(d));
    }
    if (isSnapshot) this.seenSnapshot = true;
    this.lastIsSnapshot = isSnapshot;
    if (d.evLo !== this.lastEvLo || d.evHi !== this.lastEvHi) this.endEvent();
    this.lastEvLo = d.evLo;
    this.lastEvHi = d.evHi;
    this.hold(d);
  }

  /**
   * A valid row, from `next`, of a venue's event `event` (a number the caller gives each message or snapshot): a
   * snapshot's first row starts with a CLEAR (flags F_SNAPSHOT, the snapshot's sequence), snapshot
   * rows carry F_SNAPSHOT, and a new event number ends the previous event.
   */
  venueRow(isSnapshot: boolean, event: number): void {
    const d = this.next;
    this.venue = true;
    if (event !== this.lastEvent) {
      this.endEvent();
      this.lastEvent = event;
      if (isSnapshot) this.hold(this.clearOf(d));
    }
    if (isSnapshot) {
      this.seenSnapshot = true;
      d.flags = F_SNAPSHOT;
    }
    this.hold(d);
  }

  /** The file ended: its last delta ends its event. */
  end(): void {
    this.endEvent();
    if (this.held) this.write(this.held);
    this.held = null;
  }

  /** A slot neither held nor being filled. */
  private free(): HeldDelta {
    const [a, b, c] = this.slots;
    return a !== this.held && a !== this.next ? a! : b !== this.held && b !== this.next ? b! : c!;
  }

  /** The CLEAR a snapshot row starts: its times, line and day, no side, price 0, size 0, flags F_SNAPSHOT. */
  private clearOf(d: HeldDelta): HeldDelta {
    const c = this.free();
    Object.assign(c, d);
    c.action = ACTION_CLEAR;
    c.side = BOOK_NO_SIDE;
    c.priceRaw = 0n;
    c.sizeRaw = 0n;
    c.flags = F_SNAPSHOT;
    c.added = true;
    c.px = 0;
    return c;
  }

  private hold(d: HeldDelta): void {
    const prev = this.held;
    if (prev) this.write(prev);
    this.held = d;
    if (d === this.next) this.next = prev ?? this.free();
    this.apply(d);
  }

  /**
   * The held delta is the last of its event: F_LAST replaces its flags (as NautilusTrader's Tardis
   * loader sets them), or for a venue's rows is added to them (its live adapters' F_SNAPSHOT | F_LAST).
   */
  private endEvent(): void {
    const h = this.held;
    if (!h || h.flags & F_LAST) return;
    h.flags = this.venue ? h.flags | F_LAST : F_LAST;
    const bid = this.bids.highest, ask = this.asks.lowest;
    if (bid > ask && !h.outside) {
      this.crossed.count++;
      this.crossed.first ??= { line: h.line, tsEvent: BigInt.asIntN(64, (BigInt(h.evHi) << 32n) | BigInt(h.evLo)), bid, ask };
    }
  }

  private apply(d: HeldDelta): void {
    if (d.action === ACTION_CLEAR) {
      this.bids.clear();
      this.asks.clear();
      return;
    }
    const side = d.side === BOOK_BUY ? this.bids : this.asks;
    if (d.action === ACTION_DELETE) side.delete(d.px);
    else side.set(d.px);
  }
}
