import { setStreamLabel, setStreamTask, streamOffered } from '../../state/data-actions';
import { TaskPicker } from './TaskPicker';
import { useWorkbench } from '../hooks';
import { count, statValue } from '../format';

/**
 * A file too large to load, offered to train streamed from disk: its statistics once streamed
 * (exact counts and ranges; histograms from a sample, distinct counts capped), the label its runs
 * take and what they learn from it (the Task picker), and the button that queues a run on it.
 */
export function StreamOffer() {
  const offer = useWorkbench((s) => s.dataset.streamOffer);
  if (!offer) return null;
  const { summary } = offer;
  return (
    <div className="stream-offer" data-testid="stream-offer-panel" data-rows={summary?.rows ?? ''}>
      <p>
        <button type="button" data-testid="stream-offer" onClick={streamOffered}>
          Train {offer.name} streamed from disk
        </button>{' '}
        <span className="muted">
          (with the run settings; each epoch reads the file again, a row group at a time
          {summary ? '' : '; label and features from its first row group until its statistics are in'})
        </span>
      </p>
      {summary && (
        <>
          <p>
            <strong>{summary.name}</strong> · {summary.format} · {count(summary.rows)} rows · {summary.columns.length}{' '}
            columns <span className="muted">· statistics streamed in {(summary.statsMs / 1000).toFixed(1)} s</span>
          </p>
          <label>
            Label{' '}
            <select
              data-testid="stream-label"
              value={offer.label ?? ''}
              onChange={(e) => setStreamLabel(e.target.value)}
            >
              {summary.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>{' '}
          <TaskPicker
            stats={summary.columns.find((c) => c.name === offer.label)}
            task={offer.task ?? null}
            onChange={setStreamTask}
            testId="stream-task"
          />
          <span className="muted" data-testid="stream-features">
            features: {offer.features.join(', ') || 'none'}
          </span>
          {summary.typeChanged && (
            <ul className="type-changed" data-testid="stream-type-changed">
              {summary.typeChanged.map((c) => (
                <li key={c.column}>Left out of the features: {c.reason}</li>
              ))}
            </ul>
          )}
          <table className="schema">
            <thead>
              <tr>
                <th>column</th>
                <th>type</th>
                <th>missing</th>
                <th>min</th>
                <th>max</th>
                <th>mean</th>
                <th>distinct</th>
              </tr>
            </thead>
            <tbody>
              {summary.columns.slice(0, 200).map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.type}</td>
                  <td>{count(c.nulls)}</td>
                  <td>{statValue(c.type, c.min)}</td>
                  <td>{statValue(c.type, c.max)}</td>
                  <td>{statValue('float', c.mean)}</td>
                  <td>
                    {c.distinctAtLeast ? '≥ ' : ''}
                    {count(c.distinct)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
