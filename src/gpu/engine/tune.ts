/**
 * Start-up tuning of the matmuls: which core (tiled in workgroup memory, or vec4 blocks per thread) and which
 * tile edge is fastest for a product shape on this device. The answer is kept per device and
 * shape, so a worker tunes a shape once, on its first run.
 */
import type { MatmulCore } from './precision';

export type MatmulName = 'forward' | 'backward-dx' | 'backward-dw';

export interface MatmulVariant {
  core: MatmulCore;
  tile: 32 | 64;
}

/** The candidates, in the order they are tried (ties keep the earlier one). */
export const MATMUL_VARIANTS: readonly MatmulVariant[] = [
  { core: 'tiled', tile: 64 },
  { core: 'tiled', tile: 32 },
  { core: 'vec4', tile: 64 },
  { core: 'vec4', tile: 32 },
  { core: 'wide', tile: 32 },
  { core: 'wide', tile: 64 },
];

/** Rows and columns a workgroup of a variant covers (the wide core: two tiles across). */
export const variantColumns = (v: MatmulVariant): number => (v.core === 'wide' ? 2 * v.tile : v.tile);
export const variantRows = (v: MatmulVariant): number => v.tile;

const tuned = new WeakMap<GPUDevice, Map<string, Promise<MatmulVariant>>>();

/**
 * The fastest variant for `shape` (a key naming kernel, format and M x N x K): each candidate's
 * dispatch is made by `prepare` and timed by `time` (ms per run) once warm, twice, the best kept.
 */
export function tuneMatmul<D>(
  device: GPUDevice,
  shape: string,
  prepare: (v: MatmulVariant) => Promise<D>,
  time: (d: D, reps: number) => Promise<number>,
): Promise<MatmulVariant> {
  let perDevice = tuned.get(device);
  if (!perDevice) tuned.set(device, (perDevice = new Map()));
  let answer = perDevice.get(shape);
  if (!answer) {
    answer = (async () => {
      let best = MATMUL_VARIANTS[0];
      let bestMs = Infinity;
      for (const v of MATMUL_VARIANTS) {
        const d = await prepare(v);
        await time(d, 1);
        const ms = Math.min(await time(d, 2), await time(d, 2));
        if (ms < bestMs) [best, bestMs] = [v, ms];
      }
      return best;
    })();
    perDevice.set(shape, answer);
  }
  return answer;
}
