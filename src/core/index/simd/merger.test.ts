/**
 * The WebAssembly merge (merge.wat through merger.ts) against Array.sort: runs of every shape
 * (range-index.test.ts drives it through sortRows with lopsided pairs), across the growth of its
 * memory, and the cases where it declines so the scalar merge runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../data/rng';
import { MERGE_KERNEL_MAX, mergeRunsKernel, setMergeKernel } from './merger';

/** `runs` ascending runs of n distinct ids dealt at random, and where each starts. */
function runsOf(rng: Rng, n: number, runs: number): { rows: Int32Array; starts: number[] } {
  const ids = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i * 5 + rng.int(5)));
  const cuts = Array.from({ length: runs - 1 }, () => rng.int(n + 1)).sort((a, b) => a - b);
  const bounds = [0, ...cuts, n];
  const rows = new Int32Array(n);
  for (let k = 0; k + 1 < bounds.length; k++) rows.set(ids.subarray(bounds[k], bounds[k + 1]).sort(), bounds[k]);
  // Where a run's first id is below the previous run's last: the starts a caller finds.
  const starts = [0];
  for (let i = 1; i < n; i++) if (rows[i - 1] > rows[i]) starts.push(i);
  return { rows, starts };
}

describe('mergeRunsKernel', () => {
  afterEach(() => setMergeKernel(true));

  it('sorts 2 to 12 runs like Array.sort, from a few ids to past its first memory (grown, then reused)', () => {
    const rng = new Rng(21);
    for (const n of [2, 40, 511, 512, 513, 5000, 70_000, 300_000, 1000]) {
      for (let t = 0; t < 6; t++) {
        const { rows, starts } = runsOf(rng, n, 2 + rng.int(11));
        if (starts.length < 2) continue;
        const before = rows.slice();
        const got = mergeRunsKernel(rows, starts);
        expect(got, `n ${n}`).not.toBeNull();
        expect(Array.from(got!), `n ${n}, ${starts.length} runs`).toEqual(Array.from(before).sort((a, b) => a - b));
        expect(rows).toEqual(before);
      }
    }
  });

  it('hands back its own copy: a later call does not change an earlier answer', () => {
    const rng = new Rng(22);
    const first = runsOf(rng, 3000, 3);
    const answer = mergeRunsKernel(first.rows, first.starts)!;
    const kept = answer.slice();
    const second = runsOf(rng, 3000, 5);
    mergeRunsKernel(second.rows, second.starts);
    expect(answer).toEqual(kept);
  });

  it('declines (null, the scalar merge runs) when turned off or past MERGE_KERNEL_MAX ids', () => {
    const { rows, starts } = runsOf(new Rng(23), 100, 3);
    setMergeKernel(false);
    expect(mergeRunsKernel(rows, starts)).toBeNull();
    setMergeKernel(true);
    expect(mergeRunsKernel(new Int32Array(MERGE_KERNEL_MAX + 1), [0, 1])).toBeNull();
  });
});
