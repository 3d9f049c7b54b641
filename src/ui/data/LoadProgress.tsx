import { cancelLoad } from '../../state/data-actions';
import { useWorkbench } from '../hooks';

function mb(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MB`;
}

/** Progress of a load that has taken more than half a second, with Cancel. */
export function LoadProgress() {
  const { status, loadingName, progress } = useWorkbench((s) => s.dataset);
  if (status !== 'loading') return null;
  const fraction =
    progress && progress.total > 0 && (progress.phase === 'read' || progress.phase === 'scan')
      ? progress.loaded / progress.total
      : null;
  const text = !progress
    ? `Loading ${loadingName}…`
    : progress.phase === 'read' || progress.phase === 'scan'
      ? `${progress.phase === 'read' ? 'Reading' : 'Streaming statistics of'} ${progress.name}: ${mb(progress.loaded)} of ${mb(progress.total)}`
      : progress.phase === 'decode'
        ? `Decoding ${progress.name} (${mb(progress.total)})…`
        : `Computing statistics over ${progress.total.toLocaleString('en-US')} rows…`;
  return (
    <div className="load-progress" data-testid="load-progress" role="status">
      <span>{text}</span>
      {progress && <progress max={1} value={fraction ?? undefined} aria-label="loading progress" />}
      <button type="button" data-testid="cancel-load" onClick={cancelLoad}>
        Cancel
      </button>
    </div>
  );
}
