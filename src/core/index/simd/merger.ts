/**
 * Natural merge sort of ascending runs of row ids in WebAssembly (kernel: merge.wat), for the
 * range index's ascending answers. The ids are copied into the kernel's memory once, merged pass
 * by pass between two halves of it (pairs of runs; a long pair cut at its middle output so that
 * both halves merge at once), and copied out once. Where WebAssembly is missing, or the ids are
 * more than {@link MERGE_KERNEL_MAX}, the caller keeps its scalar merge.
 */
import { WASM_BYTES } from './merge-wasm';
import { compileKernel, instantiate } from './wasm';

/** Most ids one call takes: the kernel's memory holds two copies of them (8 MiB at most, kept for later calls). */
export const MERGE_KERNEL_MAX = 1 << 20;
/** From this many ids a pair is cut at its middle and both halves merged at once (four chains). */
const HALVES_MIN = 512;

type Merge2 = (a: number, ae: number, b: number, be: number, o: number) => void;
type Merge4 = (
  a1: number,
  ae1: number,
  b1: number,
  be1: number,
  o1: number,
  a2: number,
  ae2: number,
  b2: number,
  be2: number,
  o2: number,
) => void;

interface Kernel {
  merge2: Merge2;
  merge4: Merge4;
  heap: Int32Array;
  /** Ids each half of the memory holds. */
  capacity: number;
}

let enabled = true;
/** undefined: not tried yet; null: no WebAssembly here. */
let kernel: Kernel | null | undefined;

/** Turns the kernel off (the scalar merge runs) or back on: for tests of both paths. */
export function setMergeKernel(on: boolean): void {
  enabled = on;
}

/** Whether {@link mergeRunsKernel} takes `n` ids here (WebAssembly present, kernel on, not too many). */
export function mergeKernelTakes(n: number): boolean {
  return enabled && n <= MERGE_KERNEL_MAX && compileKernel(WASM_BYTES) !== null;
}

function kernelFor(n: number): Kernel | null {
  if (kernel === null) return null;
  if (kernel && kernel.capacity >= n) return kernel;
  const module = compileKernel(WASM_BYTES);
  if (!module) return (kernel = null);
  // Room grows by doubling (from 64 K ids), so a run of larger queries instantiates a few times at most.
  const capacity = Math.min(MERGE_KERNEL_MAX, Math.max(n, 1 << 16, 2 * (kernel?.capacity ?? 0)));
  const { exports, memory } = instantiate(module, 8 * capacity);
  kernel = {
    merge2: exports.merge2 as Merge2,
    merge4: exports.merge4 as Merge4,
    heap: new Int32Array(memory),
    capacity,
  };
  return kernel;
}

/**
 * `rows` sorted, given where its ascending runs start (`starts[0]` is 0; distinct ids), or null
 * when the kernel cannot take it (no WebAssembly, turned off, or too many ids).
 */
export function mergeRunsKernel(rows: Int32Array, starts: readonly number[]): Int32Array | null {
  const n = rows.length;
  if (!enabled || n > MERGE_KERNEL_MAX) return null;
  const k = kernelFor(n);
  if (!k) return null;
  const { heap, merge2, merge4 } = k;
  heap.set(rows, 0);
  // Passes alternate between ids [0, n) and [n, 2n) of the memory; `src`/`dst` are offsets in ids.
  let src = 0;
  let dst = n;
  let runs = starts;
  while (runs.length > 1) {
    const next: number[] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const a = src + runs[r];
      const mid = src + (r + 1 < runs.length ? runs[r + 1] : n);
      const end = src + (r + 2 < runs.length ? runs[r + 2] : n);
      const o = dst + runs[r];
      next.push(runs[r]);
      if (end - a < HALVES_MIN || mid === a || mid === end) {
        merge2(4 * a, 4 * mid, 4 * mid, 4 * end, 4 * o);
        continue;
      }
      // The first `half` outputs take the first `t` ids of run A and the first half - t of run B
      // (binary search for the split: the "merge path").
      const half = (end - a) >> 1;
      let lo = Math.max(0, half - (end - mid));
      let hi = Math.min(half, mid - a);
      while (lo < hi) {
        const t = (lo + hi) >>> 1;
        if (heap[a + t] <= heap[mid + half - t - 1]) lo = t + 1;
        else hi = t;
      }
      const cutA = a + lo;
      const cutB = mid + half - lo;
      merge4(4 * a, 4 * cutA, 4 * mid, 4 * cutB, 4 * o, 4 * cutA, 4 * mid, 4 * cutB, 4 * end, 4 * (o + half));
    }
    runs = next;
    [src, dst] = [dst, src];
  }
  return heap.slice(src, src + n);
}
