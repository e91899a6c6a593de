// The job screen's Instrument card: the market and the venue's symbol, the id NautilusTrader gives
// it, and where its definition comes from (a bundled preset, the venue's saved list, or entered here).
import { useState } from 'react';
import type { PresetInfo } from '../../../shared/api.js';
import { MARKET, type InstrumentKind } from '../../../shared/markets.js';
import {
  CURRENCY_FIELDS, ENTRY_FIELDS, ENTRY_INFO, KIND_LABEL, entryFieldError, entryInverse, entryKind, instrumentView, marketGroups,
  presetFor, symbolError, type DefinitionSource, type EntryField,
} from '../logic/instrument.js';
import { combineFacts, mismatchKey, type Mismatch } from '../logic/facts.js';
import { jobSymbols, optionalNumber, presetText } from '../logic/job.js';
import { AllowedFolders } from './common.js';
import { useApp } from '../store/context.js';
import { jobFacts } from '../store/files.js';

function ApiKeyField() {
  const saved = useApp((s) => s.apiKeySaved);
  const save = useApp((s) => s.saveApiKey);
  const [key, setKey] = useState('');
  const [editing, setEditing] = useState(false);
  if (saved && !editing) {
    return (
      <div className="field">
        <span className="label">Tardis API key</span>
        <div className="input-row">
          <span className="saved-key" role="status">✓ saved</span>
          <button type="button" className="btn ghost small" onClick={() => setEditing(true)}>Replace</button>
        </div>
        <p className="muted small">Stored encrypted by the engine; it is never shown or sent back to this window.</p>
      </div>
    );
  }
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        void save(key).then((ok) => {
          if (ok) {
            setKey('');
            setEditing(false);
          }
        });
      }}
    >
      <label className="label" htmlFor="api-key">Tardis API key</label>
      <div className="input-row">
        <input id="api-key" className="input mono" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="TD.xxxxxxxx" />
        <button type="submit" className="btn" disabled={!key.trim()}>Save key</button>
      </div>
      <p className="muted small">Without a key only the first day of each month can be downloaded.</p>
    </form>
  );
}

/** Price and size decimals, asked only when no definition gives the increments. */
function PrecisionFields() {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  return (
    <div className="form-row">
      <div className="field">
        <label className="label" htmlFor="pp">Price decimals</label>
        <input id="pp" className="input" type="number" min={0} max={16} placeholder="from data" value={draft.pricePrecision ?? ''}
          onChange={(e) => setDraft({ pricePrecision: optionalNumber(e.target.value) })} />
      </div>
      <div className="field">
        <label className="label" htmlFor="sp">Size decimals</label>
        <input id="sp" className="input" type="number" min={0} max={16} placeholder="from data" value={draft.sizePrecision ?? ''}
          onChange={(e) => setDraft({ sizePrecision: optionalNumber(e.target.value) })} />
      </div>
    </div>
  );
}

/** "from the files" next to a value the files filled in. */
function FromFiles({ on, what }: { on: boolean; what: string }) {
  return on ? <span className="from-files" data-testid={`${what}-from-files`}>from the files</span> : null;
}

/** The files' symbols, each a checkbox (each ticked one is built as its own instrument). */
function SymbolChoices() {
  const draft = useApp((s) => s.draft);
  const toggle = useApp((s) => s.toggleSymbol);
  const typeSymbol = useApp((s) => s.typeSymbol);
  const n = draft.symbols.length;
  return (
    <fieldset className="field symbol-choices" data-testid="symbol-choices">
      <legend className="label">Symbols <FromFiles on={draft.filled.symbol} what="symbol" /></legend>
      <div className="check-row">
        {draft.symbolChoices.map((sym) => (
          <label key={sym} className="check">
            <input type="checkbox" checked={draft.symbols.includes(sym)} onChange={() => toggle(sym)} />
            <span className="mono">{sym}</span>
          </label>
        ))}
      </div>
      <p className={`small ${n ? 'muted' : 'text-error'}`}>
        {n > 1 ? `The files hold ${draft.symbolChoices.length} symbols; each ticked one is built as its own instrument.` : n === 1 ? 'One symbol ticked: one instrument.' : 'Tick at least one symbol.'}{' '}
        <button type="button" className="link-btn" onClick={() => typeSymbol(true)}>Type a symbol instead</button>
      </p>
    </fieldset>
  );
}

function SymbolField({ presets }: { presets: PresetInfo[] }) {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const typeSymbol = useApp((s) => s.typeSymbol);
  const offered = useApp((s) => s.source !== 'tardis' && combineFacts(jobFacts(s)).symbols.length > 1);
  const error = symbolError(draft.symbol);
  return (
    <div className="field">
      <label className="label" htmlFor="symbol">Symbol <FromFiles on={draft.filled.symbol} what="symbol" /></label>
      <input id="symbol" className="input mono" list="symbol-presets" value={draft.symbol} spellCheck={false}
        aria-invalid={!!error} aria-describedby={error ? 'symbol-error' : 'symbol-hint'}
        onChange={(e) => setDraft({ symbol: e.target.value.toUpperCase() })} />
      <datalist id="symbol-presets">
        {presets.filter((p) => p.market === draft.market).map((p) => <option key={p.symbol} value={p.symbol}>{presetText(p)}</option>)}
      </datalist>
      {error
        ? <p id="symbol-error" className="small text-error" data-testid="symbol-error">{error}</p>
        : <p id="symbol-hint" className="muted small">As the venue writes it: <span className="nowrap">BTC-USDT-SWAP</span>, <span className="nowrap">BTCUSD_PERP</span></p>}
      {offered && <p className="small"><button type="button" className="link-btn" onClick={() => typeSymbol(false)}>Pick from the files’ symbols</button></p>}
    </div>
  );
}

function MarketSymbolFields({ presets }: { presets: PresetInfo[] }) {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  return (
    <div className="form-row market-row">
      <div className="field">
        <label className="label" htmlFor="market">Market <FromFiles on={draft.filled.market} what="market" /></label>
        {/* Filled from what the files say until the user picks one (store/files.ts refilled). */}
        <select id="market" className="input" value={draft.market}
          onChange={(e) => {
            const market = e.target.value as typeof draft.market;
            // A Tardis download follows the market (the box below can still name another feed).
            setDraft({ market, tardisExchange: MARKET[market].tardis[0] ?? draft.tardisExchange });
          }}>
          {marketGroups().map((g) => (
            <optgroup key={g.venue} label={g.venue}>
              {g.markets.map((m) => <option key={m.key} value={m.key}>{m.label}</option>)}
            </optgroup>
          ))}
        </select>
      </div>
      {draft.symbolChoices.length && draft.source !== 'tardis' ? <SymbolChoices /> : <SymbolField presets={presets} />}
    </div>
  );
}

/** Where the job disagrees with its files: each file and both values, and the confirm that builds anyway. */
export function MismatchPanel({ mismatches }: { mismatches: Mismatch[] }) {
  const draft = useApp((s) => s.draft);
  const confirm = useApp((s) => s.confirmMismatch);
  if (!mismatches.length) return null;
  const key = mismatchKey(mismatches);
  const confirmed = draft.allowMismatch === key;

  return (
    <div className={`alert ${confirmed ? 'alert-warn' : 'alert-error'} mismatch`} role="alert" data-testid="mismatch">
      <strong>The files say otherwise.</strong>
      <ul>{mismatches.map((m) => <li key={`${m.file}|${m.what}`}>{m.text}</li>)}</ul>
      <label className="check">
        <input type="checkbox" checked={confirmed} onChange={(e) => confirm(e.target.checked ? key : null)} />
        <span>The files were renamed; build as <strong className="mono">{jobSymbols(draft).join(', ')}</strong> on <strong>{MARKET[draft.market].label}</strong></span>
      </label>
      {!confirmed && <p className="small">Or change the symbol or market to what the files say.</p>}
    </div>
  );
}

/** The id, kind and inverse-ness the job will write, in plain words (one line per instrument). */
function InstrumentLine() {
  const draft = useApp((s) => s.draft);
  const presets = useApp((s) => s.presets);
  const symbols = jobSymbols(draft);
  return (
    <>
      {(symbols.length ? symbols : [draft.symbol]).map((sym) => {
        const v = instrumentView(draft.market, sym, draft.definition, draft.entry, presetFor(presets, draft.market, sym));
        const inverse = v.inverse === null ? 'linear or inverse: as the definition says' : v.inverse ? 'inverse (sizes in contracts, settled in the base)' : v.kind === 'spot' ? 'spot pair' : 'linear';
        return (
          <p key={sym} className="instrument-line" data-testid="instrument-id">
            Written as <strong className="mono">{v.id}</strong>
            <span className="muted"> · {KIND_LABEL[v.kind]} ({v.className}{v.kindGuessed ? ', from the symbol’s shape' : ''}) · {inverse}</span>
          </p>
        );
      })}
    </>
  );
}

const SOURCES: { value: DefinitionSource; label: string }[] = [
  { value: 'preset', label: 'Preset' },
  { value: 'file', label: 'Saved list file' },
  { value: 'enter', label: 'Enter it' },
];

function PresetChoice() {
  const draft = useApp((s) => s.draft);
  const presets = useApp((s) => s.presets);
  const m = MARKET[draft.market];
  const symbols = jobSymbols(draft);
  const found = symbols.map((sym) => presetFor(presets, draft.market, sym)).filter((p) => !!p);
  const without = symbols.filter((sym) => !presetFor(presets, draft.market, sym));
  if (symbols.length === 1 && found[0]) {
    return <p className="precision-line" data-testid="precision">Preset: <strong>{m.label} {found[0].symbol}</strong> · {presetText(found[0])}</p>;
  }
  if (!without.length) {
    return <p className="precision-line" data-testid="precision">Presets: <strong>{m.label} {found.map((p) => p.symbol).join(', ')}</strong></p>;
  }
  const sym = without.join(', ') || draft.symbol.trim() || 'this symbol';
  return (
    <>
      <p className="precision-line" data-testid="precision">
        {found.length > 0 && <>Presets: <strong>{found.map((p) => p.symbol).join(', ')}</strong>. </>}
        No preset for <strong>{sym}</strong> on {m.label}: give a list file or enter it.
        {!m.contracts && ' Without either, the precision comes from the data unless you set it here.'}
      </p>
      {!m.contracts && <PrecisionFields />}
    </>
  );
}

function FileChoice() {
  const path = useApp((s) => s.draft.instrumentsFile);
  const setDraft = useApp((s) => s.setDraft);
  const pick = useApp((s) => s.pickInstrumentsFile);
  const browserMode = useApp((s) => s.browserMode);
  return (
    <div className="field">
      <label className="label" htmlFor="instruments-file">Instrument list file</label>
      <div className="input-row">
        <input id="instruments-file" className="input mono" value={path} spellCheck={false} placeholder="/home/me/exchangeInfo.json"
          onChange={(e) => setDraft({ instrumentsFile: e.target.value })} />
        {!browserMode && <button type="button" className="btn" onClick={() => void pick()}>Choose…</button>}
      </div>
      <p className="muted small">
        The venue’s instrument list as its API gives it: Binance exchangeInfo, Bybit instruments-info or OKX instruments (JSON).
      </p>
      <AllowedFolders what="The file" />
    </div>
  );
}

function EntryInput({ field }: { field: EntryField }) {
  const value = useApp((s) => s.draft.entry.fields[field]);
  const entry = useApp((s) => s.draft.entry);
  const setDraft = useApp((s) => s.setDraft);
  const info = ENTRY_INFO[field];
  const error = entryFieldError(field, value);
  const id = `entry-${field.replace(/_/g, '-')}`;
  return (
    <div className="field entry-field">
      <label className="label" htmlFor={id}>{info.label}</label>
      <input id={id} className="input mono" value={value} spellCheck={false} placeholder={info.example}
        aria-invalid={!!error} aria-describedby={`${id}-hint`}
        onChange={(e) => setDraft({ entry: { ...entry, fields: { ...entry.fields, [field]: CURRENCY_FIELDS.has(field) ? e.target.value.toUpperCase() : e.target.value } } })} />
      {error && <p className="small text-error" data-testid={`${id}-error`}>{error}</p>}
      <p id={`${id}-hint`} className="muted small">{info.hint}</p>
    </div>
  );
}

/** The fields NautilusTrader's instrument needs, as the venue names them; empty ones are not sent. */
function EntryForm({ preset }: { preset: PresetInfo | undefined }) {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const { entry, market } = draft;
  const kind = entryKind(entry, market, draft.symbol, preset);
  const inverse = entryInverse(entry, market, kind, preset);
  // Spot pairs have no contract size, settlement or inverse; only futures expire.
  const shown = ENTRY_FIELDS.filter((f) => (kind !== 'spot' || !['multiplier', 'settlement'].includes(f)) && (f !== 'expiration' || kind === 'future'));
  return (
    <div className="entry-form" data-testid="entry-form">
      <div className="entry-head">
        <div className="field">
          <label className="label" htmlFor="entry-kind">Kind</label>
          <select id="entry-kind" className="input" value={kind} onChange={(e) => setDraft({ entry: { ...entry, kind: e.target.value as InstrumentKind } })}>
            {MARKET[market].kinds.map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
          </select>
        </div>
        {kind !== 'spot' && (
          <label className="check">
            <input type="checkbox" checked={inverse} onChange={(e) => setDraft({ entry: { ...entry, isInverse: e.target.checked } })} />
            <span>Inverse</span><span className="muted small">sizes in quote-currency contracts, profit and loss in the base (XBTUSD, BTCUSD_PERP)</span>
          </label>
        )}
      </div>
      {/* The engine lays entries over a preset of the symbol (engine/instruments/resolve.ts). */}
      {preset && <p className="muted small">Fields left empty keep the preset’s values ({MARKET[market].label} {preset.symbol}).</p>}
      <div className="entry-grid">
        {shown.map((f) => <EntryInput key={f} field={f} />)}
      </div>
    </div>
  );
}

function DefinitionFields({ preset }: { preset: PresetInfo | undefined }) {
  const source = useApp((s) => s.draft.definition);
  const setDraft = useApp((s) => s.setDraft);
  return (
    <fieldset className="field definition">
      <legend className="label">Definition</legend>
      <div className="segmented" role="radiogroup" aria-label="Where the definition comes from">
        {SOURCES.map((s) => (
          <label key={s.value} className={`check seg${source === s.value ? ' on' : ''}`}>
            <input type="radio" name="definition" checked={source === s.value} onChange={() => setDraft({ definition: s.value })} />
            <span>{s.label}</span>
          </label>
        ))}
      </div>
      {source === 'preset' && <PresetChoice />}
      {source === 'file' && <FileChoice />}
      {source === 'enter' && <EntryForm preset={preset} />}
    </fieldset>
  );
}

export function InstrumentCard({ mismatches }: { mismatches: Mismatch[] }) {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const presets = useApp((s) => s.presets);
  const preset = presetFor(presets, draft.market, draft.symbol);
  return (
    <section className={`card instrument-card${draft.definition === 'enter' ? ' wide' : ''}`} aria-labelledby="inst-title">
      <h2 id="inst-title">Instrument</h2>
      <MarketSymbolFields presets={presets} />
      <MismatchPanel mismatches={mismatches} />
      <InstrumentLine />
      <DefinitionFields preset={preset} />
      {draft.source === 'tardis' && (
        <>
          <div className="field">
            <label className="label" htmlFor="tardis-ex">Tardis exchange</label>
            <input id="tardis-ex" className="input mono" value={draft.tardisExchange} onChange={(e) => setDraft({ tardisExchange: e.target.value })} />
          </div>
          <ApiKeyField />
        </>
      )}
    </section>
  );
}
