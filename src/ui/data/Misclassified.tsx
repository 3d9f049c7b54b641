import { inspectNeighbours } from '../../state/data-actions';
import { useWorkbench } from '../hooks';

/** The validation rows the latest finished run got wrong; each opens the neighbour inspector. */
export function Misclassified() {
  const name = useWorkbench((s) => s.dataset.summary?.name ?? null);
  const run = useWorkbench((s) => [...s.runs].reverse().find((r) => (r.status === 'done' || r.status === 'stopped') && r.config.data.name === name && r.misclassified?.length) ?? null);
  if (!run?.misclassified) return null;
  const shown = run.misclassified.slice(0, 12);
  return (
    <div className="misclassified" data-testid="misclassified">
      <p className="muted">
        Validation rows the last run ({run.title}) got wrong{run.misclassified.length > shown.length ? ` (first ${shown.length} of ${run.misclassified.length})` : ''}:
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
