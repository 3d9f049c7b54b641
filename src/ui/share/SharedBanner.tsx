import { useState } from 'react';
import { dismissShared, runSharedHere } from '../../state/share-actions';
import { store } from '../../state/store';
import { useWorkbench } from '../hooks';

/**
 * Asks for the shared configurations to run here; resolves to whether runs were queued (then
 * the button is spent: a second press would queue them all again).
 */
async function queueSharedHere(): Promise<boolean> {
  const before = new Set(store.getState().runs.map((r) => r.id));
  await runSharedHere();
  return store.getState().runs.some((r) => !before.has(r.id));
}

/** What a share link opened: whose runs, on which data, and a button to train them here too. */
export function SharedBanner() {
  const shared = useWorkbench((s) => s.shared);
  const loading = useWorkbench((s) => s.dataset.status === 'loading');
  // 'done' for the link whose runs were queued here (by its runs, so a newly opened link starts afresh).
  const [phase, setPhase] = useState<{ runIds: string[]; state: 'working' | 'done' } | null>(null);
  if (!shared) return null;
  if (shared.error) {
    return (
      <p className="notice shared-banner" role="alert" data-testid="shared-error">
        {shared.error}{' '}
        <button type="button" className="link" onClick={dismissShared}>
          Dismiss
        </button>
      </p>
    );
  }
  const n = shared.runIds.length;
  const mine = phase && phase.runIds === shared.runIds ? phase.state : null;
  const onRunHere = async () => {
    const runIds = shared.runIds;
    setPhase({ runIds, state: 'working' });
    let queued = false;
    try {
      queued = await queueSharedHere();
    } finally {
      setPhase(queued ? { runIds, state: 'done' } : null);
    }
  };
  return (
    <div className="notice shared-banner" role="status" data-testid="shared-banner">
      <span>
        Opened a shared comparison: {n} run{n === 1 ? '' : 's'}
        {shared.dataset ? ` on ${shared.dataset.name} (${shared.dataset.rows.toLocaleString('en-US')} rows)` : ''},
        trained on {shared.origins.join('; ')}. They appear as their own rows, beside what runs here.
      </span>{' '}
      <button
        type="button"
        className="primary"
        data-testid="shared-run-here"
        disabled={loading || mine !== null}
        onClick={() => void onRunHere()}
      >
        {mine === 'done' ? 'Queued here' : 'Run these here'}
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
