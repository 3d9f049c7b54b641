import { checkQuality, inspectNeighbours } from '../../state/data-actions';
import { useWorkbench } from '../hooks';
import { count } from '../format';

/** Repeated rows and train / test leaks of the dataset in use, on request. */
export function QualityPanel() {
  const quality = useWorkbench((s) => s.dataset.quality);
  const ready = useWorkbench((s) => s.dataset.status === 'ready' && s.dataset.label !== null);
  const { dedup, leaks } = quality;
  const settingsDedup = useWorkbench((s) => s.settings.dedup ?? 'none');
  return (
    <section className="quality" aria-labelledby="quality-heading">
      <h3 id="quality-heading">Duplicates and leaks</h3>
      <button
        type="button"
        data-testid="quality-check"
        onClick={() => void checkQuality()}
        disabled={!ready || quality.status === 'running'}
      >
        {quality.status === 'running' ? 'Checking…' : 'Check duplicates and leaks'}
      </button>
      {quality.error && (
        <p className="error" role="alert">
          {quality.error}
        </p>
      )}
      {quality.status === 'done' && leaks && (
        <div
          data-testid="leak-report"
          data-exact={leaks.exact}
          data-near={leaks.near}
          data-dropped={dedup?.dropped ?? 0}
        >
          {dedup && (
            <p>
              {count(dedup.dropped)} repeated rows of {count(dedup.rows)} ({dedup.method}
              {dedup.method === 'bloom'
                ? `, fpr ${dedup.fpr}; about ${(dedup.expectedFalseDrops ?? 0).toFixed(1)} counted wrongly)`
                : `, ${count(dedup.duplicateGroups ?? 0)} groups)`}
              {settingsDedup === 'none' ? ' · dedup is off for runs' : ' · runs drop them'}
            </p>
          )}
          <p>
            leaks: <strong>{count(leaks.exact)}</strong> exact and <strong>{count(leaks.near)}</strong> near (within{' '}
            {leaks.radius} sd) of {count(leaks.checked)} validation and test rows
          </p>
          {leaks.examples.length > 0 && (
            <ul className="leak-examples">
              {leaks.examples.map((e) => (
                <li key={`${e.row}-${e.trainRow}`}>
                  {e.part} row {e.row} {e.distance === 0 ? 'repeats' : `is ${e.distance.toPrecision(2)} from`} train row{' '}
                  {e.trainRow}{' '}
                  <button type="button" className="link" onClick={() => void inspectNeighbours(e.row)}>
                    inspect
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
