import type { RunView } from '../../state/store';

type Candidate = Pick<RunView, 'id' | 'status' | 'config' | 'epochs' | 'finishedAt' | 'misclassified' | 'origin'>;

/**
 * The run whose wrong validation rows the data panel lists: of the classification runs made
 * here on this dataset (same sha256) that finished (done or stopped) with a report of their
 * wrong rows, the one that finished last. A run that got every row right counts (its list is
 * empty); skipping it showed the run before it (after a sweep, whose last run, trained
 * longest, often gets them all right). Runs from a share link have no such report.
 */
export function latestMisclassifiedRun<R extends Candidate>(runs: readonly R[], fingerprint: string | null): R | null {
  if (!fingerprint) return null;
  let best: R | null = null;
  for (const r of runs) {
    if (r.status !== 'done' && r.status !== 'stopped') continue;
    if (r.origin || r.misclassified === undefined || r.config.data.fingerprint !== fingerprint) continue;
    if (!r.epochs.some((e) => e.valAccuracy !== null)) continue; // regression: no classes to get wrong
    if (!best || (r.finishedAt ?? 0) >= (best.finishedAt ?? 0)) best = r;
  }
  return best;
}
