import { dismissShared, runSharedHere } from '../../state/share-actions';
import { useWorkbench } from '../hooks';

/** What a share link opened: whose runs, on which data, and a button to train them here too. */
export function SharedBanner() {
  const shared = useWorkbench((s) => s.shared);
  const loading = useWorkbench((s) => s.dataset.status === 'loading');
  if (!shared) return null;
  if (shared.error) {
    return (
      <p className="notice shared-banner" role="alert" data-testid="shared-error">
        {shared.error} <button type="button" className="link" onClick={dismissShared}>Dismiss</button>
      </p>
    );
  }
  const n = shared.runIds.length;
  return (
    <div className="notice shared-banner" role="status" data-testid="shared-banner">
      <span>
        Opened a shared comparison: {n} run{n === 1 ? '' : 's'}
        {shared.dataset ? ` on ${shared.dataset.name} (${shared.dataset.rows.toLocaleString('en-US')} rows)` : ''}, trained on {shared.origins.join('; ')}. They appear as
        their own rows, beside what runs here.
      </span>{' '}
      <button type="button" className="primary" data-testid="shared-run-here" disabled={loading} onClick={() => void runSharedHere()}>
        Run these here
      </button>{' '}
      <button type="button" className="link" onClick={dismissShared}>
        Dismiss
      </button>
      {shared.rerun && (
        <p data-testid="shared-rerun" className="shared-rerun">
          {shared.rerun}
        </p>
      )}
    </div>
  );
}
