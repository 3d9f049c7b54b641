import { useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import type { RunView } from '../../state/store';
import { useThrottledWorkbench, useWorkbench } from '../hooks';
import { runColour, runDash } from '../format';
import { compareFilter, datasetsOf, defaultDataset, filterRuns } from './view-filter';

export interface RunStyle {
  colour: string;
  /** SVG stroke-dasharray; '' for a solid line. */
  dash: string;
}

/** Colour and dash per run, by position in the list: twelve colours, then dashed lines. */
export function stylesOf(runs: readonly Pick<RunView, 'id'>[]): Record<string, RunStyle> {
  return Object.fromEntries(runs.map((r, i) => [r.id, { colour: runColour(i), dash: runDash(i) }]));
}

/**
 * The previous array while the elements are the same ones: loading another dataset changes
 * the filter's default but, with no run on either, not the list, and the charts, the table and
 * the queue bar then need not render again (that render was a long task during a load).
 */
function useSameArray<T>(xs: T[]): T[] {
  const prev = useRef(xs);
  const p = prev.current;
  if (p !== xs && (p.length !== xs.length || p.some((x, i) => x !== xs[i]))) prev.current = xs;
  return prev.current;
}

/**
 * The runs the comparison lists (following the store at most every `ms`, staggered by `lag`),
 * with their line styles, the datasets there are runs on, and the default dataset.
 */
export function useComparedRuns(ms: number, lag: number) {
  const all = useThrottledWorkbench((s) => s.runs, ms, lag);
  const fingerprint = useWorkbench((s) => s.dataset.summary?.fingerprint ?? null);
  const name = useWorkbench((s) => s.dataset.summary?.name ?? null);
  const sharedFingerprint = useWorkbench((s) =>
    s.shared && !s.shared.error ? (s.shared.dataset?.fingerprint ?? null) : null,
  );
  const sharedName = useWorkbench((s) => (s.shared && !s.shared.error ? (s.shared.dataset?.name ?? null) : null));
  const filter = useStore(compareFilter);
  const fallback = useMemo(
    () =>
      defaultDataset(
        fingerprint !== null && name !== null ? { fingerprint, name } : null,
        sharedFingerprint !== null && sharedName !== null ? { fingerprint: sharedFingerprint, name: sharedName } : null,
      ),
    [fingerprint, name, sharedFingerprint, sharedName],
  );
  const filtered = useMemo(() => filterRuns(all, filter, fallback), [all, filter, fallback]);
  const listed = useSameArray(filtered);
  const styles = useMemo(() => stylesOf(listed), [listed]);
  const datasets = useMemo(() => datasetsOf(all), [all]);
  const fallbackFrom: 'share link' | 'in use' =
    sharedFingerprint !== null && sharedName !== null ? 'share link' : 'in use';
  return { all, listed, styles, datasets, fallback, fallbackFrom, filter };
}
