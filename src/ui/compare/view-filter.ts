/**
 * Which runs the comparison (legend, charts, results table) lists: those on one dataset (by
 * default the dataset in use, or a just-opened share link's), less the finished runs cleared
 * from the view. Clearing deletes nothing: the runs stay in the queue bar and in storage, and
 * "Show cleared" brings them back. The choice is view state of this tab, kept outside the
 * workbench store (it is neither stored nor shared).
 */
import { createStore } from 'zustand/vanilla';
import type { RunConfig, RunStatus } from '../../core/train/record';

export interface CompareFilter {
  /** A dataset key (see datasetKey), 'all', or null for the default (see defaultDataset). */
  dataset: string | null;
  /** Runs cleared from the view. */
  cleared: string[];
}

export const compareFilter = createStore<CompareFilter>()(() => ({ dataset: null, cleared: [] }));

export function setDatasetFilter(dataset: string | null): void {
  compareFilter.setState({ dataset });
}

/** Clears the given runs from the view (the caller passes the finished ones it lists). */
export function clearFromView(ids: readonly string[]): void {
  compareFilter.setState((s) => ({ cleared: [...new Set([...s.cleared, ...ids])] }));
}

export function showCleared(): void {
  compareFilter.setState({ cleared: [] });
}

interface FilterableRun {
  id: string;
  config: Pick<RunConfig, 'data'>;
  status: RunStatus;
}

/** A dataset's key: its sha256, or its name for a streaming run (which has none). */
export function datasetKey(data: Pick<RunConfig['data'], 'fingerprint' | 'name'>): string {
  return data.fingerprint || `name:${data.name}`;
}

/** The datasets the runs trained on, in order of first appearance, with their run counts. */
export function datasetsOf(runs: readonly FilterableRun[]): { key: string; name: string; runs: number }[] {
  const out = new Map<string, { key: string; name: string; runs: number }>();
  for (const r of runs) {
    const key = datasetKey(r.config.data);
    const d = out.get(key) ?? { key, name: r.config.data.name, runs: 0 };
    d.runs++;
    out.set(key, d);
  }
  return [...out.values()];
}

/** Whether a run trained on the dataset with this key (a streaming run matches by name). */
export function onDataset(r: FilterableRun, key: string, name: string | null): boolean {
  const k = datasetKey(r.config.data);
  return k === key || (r.config.data.fingerprint === '' && name !== null && r.config.data.name === name);
}

/**
 * The dataset shown when none is chosen: a share link's dataset while its banner is open,
 * else the dataset in use; null (all runs) when there is neither.
 */
export function defaultDataset(
  current: { fingerprint: string; name: string } | null,
  shared: { fingerprint: string; name: string } | null,
): { key: string; name: string } | null {
  const d = shared ?? current;
  return d ? { key: datasetKey(d), name: d.name } : null;
}

/** The runs the comparison lists, in their order. */
export function filterRuns<R extends FilterableRun>(
  runs: readonly R[],
  filter: CompareFilter,
  fallback: { key: string; name: string } | null,
): R[] {
  const cleared = new Set(filter.cleared);
  const chosen = filter.dataset === 'all' ? null : filter.dataset ? { key: filter.dataset, name: null } : fallback;
  return runs.filter((r) => !cleared.has(r.id) && (!chosen || onDataset(r, chosen.key, chosen.name)));
}

/** Finished runs (done, stopped, failed) among these: what "Clear finished" clears. */
export function finishedIds(runs: readonly FilterableRun[]): string[] {
  return runs.filter((r) => r.status === 'done' || r.status === 'stopped' || r.status === 'failed').map((r) => r.id);
}
