// A file's local conventions (issue 15, items 9 and 10): the decimal comma and day-first dates the
// first rows suggest, offered for the user to confirm; the side values (Kauf → buyer) beside the
// Side field, editable. Nothing is applied without the user.
import { useState } from 'react';
import type { SideName } from '../../../shared/job.js';
import { DATE_LABEL, acceptOffer, decimalExample, localeOffer, sidePairs, sideValuesOf, type SidePair } from '../logic/locale.js';
import { useApp } from '../store/context.js';
import { previewFile } from '../store/preview.js';

/** The offer of the shown file's detected conventions, with a tick each (ticked: the proposal) and one confirm. */
export function LocaleProposal() {
  const f = useApp(previewFile);
  const result = useApp((s) => s.preview.result);
  const setOptions = useApp((s) => s.setFileOptions);
  const [ticks, setTicks] = useState({ decimal: true, dateFormat: true });
  if (!f || !result || result.file.path !== f.info.path) return null;
  const offer = localeOffer(result.proposals, f.options);
  if (!offer.decimal && !offer.dateFormat) return null;
  return (
    <div className="alert alert-warn locale-offer" role="region" aria-label="Detected number and date format" data-testid="locale-proposal">
      <strong>{f.info.name} looks written for another locale:</strong>
      {offer.decimal && (
        <label>
          <input type="checkbox" checked={ticks.decimal} onChange={(e) => setTicks({ ...ticks, decimal: e.target.checked })} />
          Decimal comma ({decimalExample(offer.decimal.example)})
        </label>
      )}
      {offer.dateFormat && (
        <label>
          <input type="checkbox" checked={ticks.dateFormat} onChange={(e) => setTicks({ ...ticks, dateFormat: e.target.checked })} />
          {DATE_LABEL[offer.dateFormat.value]}, e.g. {offer.dateFormat.example}, read as UTC{offer.dateFormat.sure ? '' : ' (the rows shown could be either order: check)'}
        </label>
      )}
      <button type="button" className="btn small" disabled={!ticks.decimal && !ticks.dateFormat} onClick={() => setOptions(f.info.path, acceptOffer(offer, ticks))}>
        Use these
      </button>
    </div>
  );
}

const SIDES: { value: SideName; label: string }[] = [
  { value: 'buyer', label: 'Buyer (buy)' },
  { value: 'seller', label: 'Seller (sell)' },
  { value: 'none', label: 'No aggressor' },
];

/** The side column's values and what each means, beside the Side field; empty when there is nothing to map. */
export function SideValues() {
  const f = useApp(previewFile);
  const result = useApp((s) => s.preview.result);
  const setOptions = useApp((s) => s.setFileOptions);
  const [draft, setDraft] = useState<{ path: string; pairs: SidePair[] } | null>(null);
  if (!f || !result || result.file.path !== f.info.path) return null;
  const { pairs: shown, applied } = sidePairs(result.proposals, f.options);
  if (!shown.length) return null;
  // Before the first "Use": the user's edits of the proposal are held here.
  const pairs = !applied && draft?.path === f.info.path ? draft.pairs : shown;
  const change = (i: number, side: SideName | '') => {
    const next = pairs.map((p, k) => (k === i ? { ...p, side } : p));
    if (applied) setOptions(f.info.path, { sideValues: sideValuesOf(next) });
    else setDraft({ path: f.info.path, pairs: next });
  };
  return (
    <div className="side-values-box" data-testid="side-values">
      <div className="muted small">{applied ? 'Side values of this file:' : `The side column holds values the engine does not know (${result.proposals?.sideValues?.unknown.join(', ')}): say what each means.`}</div>
      <div className="side-values" role="group" aria-label="Side values">
        {pairs.map((p, i) => (
          <SidePairRow key={p.value} pair={p} onChange={(side) => change(i, side)} />
        ))}
      </div>
      {!applied && (
        <button type="button" className="btn small" disabled={!sideValuesOf(pairs)} onClick={() => setOptions(f.info.path, { sideValues: sideValuesOf(pairs) })}>
          Use these side values
        </button>
      )}
    </div>
  );
}

function SidePairRow({ pair, onChange }: { pair: SidePair; onChange: (side: SideName | '') => void }) {
  return (
    <>
      <span className="mono">{pair.value}</span>
      <span aria-hidden="true">→</span>
      <select className="input" aria-label={`Side value ${pair.value}`} value={pair.side} onChange={(e) => onChange(e.target.value as SideName | '')}>
        <option value="">{pair.unknown ? 'Choose… (else rejected)' : 'As read by default'}</option>
        {SIDES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
      </select>
    </>
  );
}
