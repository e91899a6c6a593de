// Step 1: where the data comes from; the files with what was detected in each.
import { useEffect, useRef, type ClipboardEvent, type FormEvent } from 'react';
import { DATA_TYPES, type SourceKind } from '../../../shared/job.js';
import { compressionLabel, proposedUse } from '../logic/files.js';
import { formatBytes, formatCount } from '../logic/format.js';
import { TYPE_LABELS } from '../logic/dataTypes.js';
import { AllowedFolders, Empty, Pill, ScreenHeader, StepNav } from '../components/common.js';
import { useApp } from '../store/context.js';

const SOURCES: { id: SourceKind; title: string; text: string }[] = [
  { id: 'csv', title: 'CSV files', text: 'Tardis.dev CSV, Binance Vision CSV/ZIP, or any CSV you map. Plain, .gz, .bz2 or .zip.' },
  { id: 'tardis', title: 'Tardis.dev download', text: 'Fetched for the symbol and days you pick. Needs a Tardis API key except for the 1st of a month.' },
  { id: 'websocket', title: 'WebSocket capture', text: 'JSONL files of Binance USD-M messages recorded from the stream.' },
];

function AddFiles() {
  const browserMode = useApp((s) => s.browserMode);
  const adding = useApp((s) => s.adding);
  const addError = useApp((s) => s.addError);
  const pickFiles = useApp((s) => s.pickFiles);
  const addTyped = useApp((s) => s.addTyped);
  const text = useApp((s) => s.pathText);
  const setText = useApp((s) => s.setPathText);
  const droppedNames = useApp((s) => s.droppedNames);
  const allowed = useApp((s) => s.allowedFolders);
  const input = useRef<HTMLInputElement>(null);

  // A dropped file's name was put in the box: the caret goes where its folder is to be typed.
  useEffect(() => {
    const el = input.current;
    if (!droppedNames.length || !el) return;
    el.focus();
    const at = /[\\/]/.test(el.value) ? el.value.length : 0;
    el.setSelectionRange(at, at);
  }, [droppedNames]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    void addTyped(text);
  };
  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData('text');
    // Several paths at once (one per line) are added straight away.
    if (/\r?\n/.test(pasted.trim())) {
      e.preventDefault();
      void addTyped(pasted);
    }
  };

  return (
    <section className="card add-files" aria-labelledby="add-files-title">
      <h2 id="add-files-title">Add files</h2>
      <div className="add-files-grid">
        <div className="dropzone">
          <div className="dropzone-icon" aria-hidden="true">⇩</div>
          <p><strong>Drop files anywhere on this window</strong>, several at once.</p>
          {/* Browser mode has no file dialog (the server cannot show one on this screen): no button that does nothing. */}
          {!browserMode && <button type="button" className="btn" onClick={() => void pickFiles()} disabled={adding}>Choose files…</button>}
          {browserMode && <p className="muted small">The browser gives a dropped file’s name but not its folder: the name goes in the path box, you add the folder.</p>}
        </div>
        <form className="path-form" onSubmit={submit}>
          <label htmlFor="path-input">Add by path</label>
          <p className="muted small" id="path-help">Type or paste the full path of a file on the engine’s machine. Paste several lines to add several files.</p>
          <AllowedFolders />
          <div className="input-row">
            <input
              ref={input}
              id="path-input"
              className="input mono"
              type="text"
              placeholder={`${browserMode && allowed[0] ? allowed[0].replace(/[\\/]$/, '') : '/data'}/binance-futures_trades_2024-01-01_BTCUSDT.csv.gz`}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onPaste={onPaste}
              aria-describedby="path-help"
              spellCheck={false}
              autoComplete="off"
            />
            <button type="submit" className="btn primary" disabled={adding || !text.trim()}>{adding ? 'Adding…' : 'Add'}</button>
          </div>
          {droppedNames.length > 0 && <DroppedHint names={droppedNames} />}
        </form>
      </div>
      {addError && <div className="alert alert-error" role="alert">{addError}</div>}
    </section>
  );
}

/** What to do with the names of files dropped in a browser. */
function DroppedHint({ names }: { names: string[] }) {
  const [first, ...rest] = names;
  return (
    <p className="small drop-hint-text" role="status" data-testid="dropped-hint">
      Dropped <span className="mono">{first}</span>: the browser does not say which folder it is in. Type its folder before the name, then Add.
      {rest.length > 0 && <> Next: {rest.map((n, i) => <span key={n}>{i > 0 && ', '}<span className="mono">{n}</span></span>)}.</>}
    </p>
  );
}

function FileList() {
  const files = useApp((s) => s.files);
  const remove = useApp((s) => s.removeFile);
  const toggle = useApp((s) => s.toggleFileType);
  if (!files.length) return <Empty>No files yet. Add the CSV files of the days you want in the catalog.</Empty>;
  return (
    <section className="card" aria-labelledby="files-title">
      <h2 id="files-title">Files <span className="count">{files.length}</span></h2>
      <table className="table files-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Detected format</th>
            <th scope="col" className="num">Size</th>
            <th scope="col" className="num">Rows (est.)</th>
            <th scope="col">Use for</th>
            <th scope="col"><span className="sr-only">Remove</span></th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => {
            const use = proposedUse(f.info);
            return (
              <tr key={f.info.path} className={f.info.error ? 'row-error' : ''} data-file={f.info.name}>
                <td>
                  <div className="file-name">{f.info.name}</div>
                  <div className="file-path mono" title={f.info.path}>{f.info.path}</div>
                </td>
                <td>
                  {f.info.error ? (
                    <span className="text-error" data-testid="refused"><strong>Refused:</strong> {f.info.error}</span>
                  ) : (
                    <>
                      <div>{f.info.label}</div>
                      <div className="muted small">{compressionLabel(f.info.compression)}{f.info.member ? ` · ${f.info.member}` : ''}{(f.info.members ?? 0) > 1 ? ` (first of ${f.info.dataMembers} data files; ${f.info.members} files in the zip)` : ''}</div>
                    </>
                  )}
                </td>
                <td className="num">{f.info.error ? '–' : formatBytes(f.info.size)}</td>
                <td className="num">{f.info.error ? '–' : `~${formatCount(f.info.rowEstimate)}`}</td>
                <td>
                  <div className="chip-row">
                    {DATA_TYPES.filter((t) => f.info.feeds.includes(t)).map((t) => (
                      <button
                        key={t}
                        type="button"
                        className={`toggle${f.types.includes(t) ? ' on' : ''}`}
                        aria-pressed={f.types.includes(t)}
                        onClick={() => toggle(f.info.path, t)}
                      >
                        {TYPE_LABELS[t]}
                      </button>
                    ))}
                    {!f.info.error && !f.info.feeds.length && <Pill tone="warn">no supported data</Pill>}
                  </div>
                  {use.warning && <div className="small text-warn use-note" data-testid="use-note">{use.warning}</div>}
                  {use.hint && !f.types.length && <div className="muted small use-note" data-testid="use-note">{use.hint}</div>}
                </td>
                <td className="actions">
                  <button type="button" className="btn ghost small" onClick={() => remove(f.info.path)} aria-label={`Remove ${f.info.name}`}>Remove</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** Where the sample is written, said before the click and changeable. */
function SampleOutput() {
  const output = useApp((s) => s.sampleOutput);
  const setOutput = useApp((s) => s.setSampleOutput);
  if (output === null) return null;
  return (
    <div className="sample-output">
      <label htmlFor="sample-output">Written to</label>
      <input id="sample-output" className="input mono" value={output} spellCheck={false} onChange={(e) => setOutput(e.target.value)} />
    </div>
  );
}

export function SourceScreen() {
  const source = useApp((s) => s.source);
  const setSource = useApp((s) => s.setSource);
  const runSample = useApp((s) => s.runSample);
  const files = useApp((s) => s.files);
  const running = useApp((s) => s.run.status === 'running' || s.run.status === 'starting');
  const good = files.filter((f) => !f.info.error).length;
  const fileSource = source !== 'tardis';

  return (
    <div className="screen">
      <ScreenHeader title="Where is your data?">Choose a source, then add the files. Nothing is read beyond the first rows until you run the job.</ScreenHeader>

      {!files.length && (
        <section className="card first-run">
          <div>
            <h2>New here? Try the bundled sample</h2>
            <p className="muted">Three days of BTCUSDT trades, mark price and funding from Binance USD-M, built into a catalog in seconds.</p>
            <SampleOutput />
          </div>
          <button type="button" className="btn primary large" onClick={() => void runSample()} disabled={running}>Build the sample catalog</button>
        </section>
      )}

      <div className="source-cards" role="radiogroup" aria-label="Source">
        {SOURCES.map((s) => (
          <button
            key={s.id}
            type="button"
            role="radio"
            aria-checked={source === s.id}
            className={`source-card${source === s.id ? ' selected' : ''}`}
            onClick={() => setSource(s.id)}
          >
            <span className="source-title">{s.title}</span>
            <span className="source-text">{s.text}</span>
          </button>
        ))}
      </div>

      {fileSource ? (
        <>
          <AddFiles />
          <FileList />
        </>
      ) : (
        <section className="card">
          <h2>Tardis.dev</h2>
          <p>Files are downloaded for the symbol, days and data types you choose on the Job step, and cached for the next run. Enter your API key there; it is stored encrypted and never shown again.</p>
        </section>
      )}

      <StepNav
        next={fileSource ? 'preview' : 'job'}
        nextLabel={fileSource ? 'Next: live preview →' : 'Next: job →'}
        nextDisabled={fileSource && !good}
        hint={fileSource && !good ? 'Add at least one readable file' : undefined}
      />
    </div>
  );
}
