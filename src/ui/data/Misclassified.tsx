import { inspectNeighbours } from '../../state/data-actions';
import { useWorkbench } from '../hooks';
import { latestMisclassifiedRun } from './misclassified-run';

/** The validation rows the run that finished last got wrong; each opens the neighbour inspector. */
export function Misclassified() {
  const fingerprint = useWorkbench((s) => s.dataset.summary?.fingerprint ?? null);
  const run = useWorkbench((s) => latestMisclassifiedRun(s.runs, fingerprint));
  if (!run?.misclassified) return null;
  if (run.misclassified.length === 0) {
    return (
      <p className="muted misclassified" data-testid="misclassified" data-run={run.id} data-count={0}>
        The last run ({run.title}) got every validation row right.
      </p>
    );
  }
  const shown = run.misclassified.slice(0, 12);
  return (
    <div className="misclassified" data-testid="misclassified" data-run={run.id} data-count={run.misclassified.length}>
      <p className="muted">
        Validation rows the last run ({run.title}) got wrong
        {run.misclassified.length > shown.length ? ` (first ${shown.length} of ${run.misclassified.length})` : ''}:
      </p>
      <ul>
        {shown.map((m) => (
          <li key={m.row}>
            <button type="button" className="link" onClick={() => void inspectNeighbours(m.row)}>
              row {m.row}
            </button>{' '}
            predicted {m.predicted}
          </li>
        ))}
      </ul>
    </div>
  );
}
