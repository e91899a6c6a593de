// A finished job's failures as both the Run and the Result screen show them: each file named once,
// then what went wrong with it in the app's words (logic/result.ts failureGroups).
import type { RunReport } from '../../../shared/report.js';
import { failureGroups } from '../logic/result.js';

export function FailureList({ r }: { r: Pick<RunReport, 'files' | 'errors'> }) {
  return (
    <>
      {failureGroups(r).map((g) => (
        <div key={g.path ?? ''} className="failure" data-testid="failure" data-file={g.name}>
          <h3 className={g.path ? 'mono' : undefined} title={g.path}>{g.name}</h3>
          <ul>{g.lines.map((l) => <li key={l}>{l}</li>)}</ul>
        </div>
      ))}
    </>
  );
}
