/**
 * Start-up tuning of the matmuls: which core (tiled in workgroup memory, or vec4 blocks per thread) and which
 * tile edge is fastest for a product shape on this device. The answer is kept per device and
 * shape, so a worker tunes a shape once, on its first run.
 */
import type { MatmulCore } from './precision';

export type MatmulName = 'forward' | 'backward-dx' | 'backward-dw';

export interface MatmulVariant {
  core: MatmulCore;
  /** Output rows a workgroup covers (the tile's edge). */
  tile: 32 | 64 | 128;
  /**
   * Weight gradients on the tiled cores: split K into slices so that the grid has about this
   * many workgroups (see kSlices), each slice's partial sums written apart and added up by a
   * second, small pass (reduce-splits.wgsl). For products with few outputs and a long K, such as
   * a convolution's weights summed over every pixel of the batch, which otherwise leave most of
   * a GPU idle.
   */
  split?: number;
}

/** The candidates, in the order they are tried (ties keep the earlier one). */
export const MATMUL_VARIANTS: readonly MatmulVariant[] = [
  { core: 'tiled', tile: 64 },
  { core: 'tiled', tile: 32 },
  { core: 'vec4', tile: 64 },
  { core: 'vec4', tile: 32 },
  { core: 'wide', tile: 32 },
  { core: 'wide', tile: 64 },
  { core: 'tiled8', tile: 128 },
  { core: 'tiled8', tile: 64 },
];

/**
 * The dense weight gradients' extra candidates on a GPU: the tiled cores split along K (the
 * batch), for large batches, where a layer's few big tiles would leave most of the GPU idle.
 */
export const DENSE_SPLIT_VARIANTS: readonly MatmulVariant[] = [
  { core: 'tiled', tile: 64, split: 512 },
  { core: 'tiled8', tile: 128, split: 512 },
  { core: 'tiled8', tile: 64, split: 512 },
];

/**
 * The candidates for a dense product on an adapter: all of them on a GPU (and for weight
 * gradients the split ones); on a CPU implementation (SwiftShader, lavapipe) neither `tiled8`,
 * built for large register files, nor the split ones, built to fill many cores, which there
 * only cost tuning time (tests still run them there, forced, against the others).
 */
export const matmulCandidates = (cpu: boolean, name: MatmulName = 'forward'): readonly MatmulVariant[] =>
  cpu
    ? MATMUL_VARIANTS.filter((v) => v.core !== 'tiled8')
    : name === 'backward-dw'
      ? [...MATMUL_VARIANTS, ...DENSE_SPLIT_VARIANTS]
      : MATMUL_VARIANTS;

/** The direct and split-K cores of the convolutions (their `tile` is nominal: see variantRows). */
export const DIRECT: MatmulVariant = { core: 'direct', tile: 64 };
export const SPLITK: MatmulVariant = { core: 'splitk', tile: 64 };

/**
 * The tiled cores with K split across workgroups, for the convolutions' weight gradients: a
 * grid of about 512 or 2048 workgroups.
 */
export const SPLIT_VARIANTS: readonly MatmulVariant[] = [
  { core: 'tiled', tile: 32, split: 512 },
  { core: 'tiled', tile: 32, split: 2048 },
  { core: 'tiled', tile: 64, split: 512 },
  { core: 'tiled8', tile: 64, split: 512 },
];

/**
 * The variants the convolutions (implicit GEMMs with gathered operands) may run on: the tiled
 * cores, direct, split-K and the tiled cores split along K (the first is the default). The
 * engine tunes the forward and input gradients among the tiled cores and direct, the weight
 * gradients among all but direct.
 */
export const CONV_VARIANTS: readonly MatmulVariant[] = [
  ...MATMUL_VARIANTS.filter((v) => v.core === 'tiled' || v.core === 'tiled8'),
  DIRECT,
  SPLITK,
  ...SPLIT_VARIANTS,
];

/**
 * The variant a convolution kernel runs for `v`: direct serves the forward and input-gradient
 * kernels, split-K the weight gradient, so each stands in for the other; a tiled core split
 * along K runs unsplit in the forward and input-gradient kernels.
 */
export const convVariantFor = (name: 'conv-forward' | 'conv-dx' | 'conv-dw', v: MatmulVariant): MatmulVariant =>
  name === 'conv-dw'
    ? v.core === 'direct'
      ? SPLITK
      : v
    : v.core === 'splitk'
      ? DIRECT
      : v.split
        ? { core: v.core, tile: v.tile }
        : v;

/**
 * A convolution's weight-gradient core on a CPU implementation of WebGPU (SwiftShader,
 * lavapipe), where the engine does not time candidates (a timing there costs seconds): the
 * 32-wide tiled core where an M x N gradient fills at least a quarter of its tiles, else split-K.
 * On SwiftShader (2 cores) split-K costs about five times the tiled core per useful output, and
 * the tiled core's cost grows as its tiles empty: MNIST's first layer (10 x 8 outputs, 8 % of a
 * tile) is 2.7x faster on split-K, its second (73 x 16, 38 %) 1.8x faster tiled, a CIFAR-sized
 * net's two (28 x 32 and 289 x 64) 3.3x and 5.9x faster tiled.
 */
export function cpuWeightGradientVariant(M: number, N: number): MatmulVariant {
  const fill = (M * N) / (Math.ceil(M / 32) * 32 * Math.ceil(N / 32) * 32);
  return fill >= 0.25 ? { core: 'tiled', tile: 32 } : SPLITK;
}

/** The tile step of the tiled cores (matmul-tiles.wgsl's BK): K slices are whole steps. */
export const SLICE_STEP = 16;
/** The shortest K slice of a split product (four tile steps) and the most slices. */
export const MIN_SLICE = 64;
export const MAX_SLICES = 256;

/**
 * How many K slices a variant cuts an M x N x K product into: about enough for `v.split`
 * workgroups over its tiles, none shorter than MIN_SLICE, at most MAX_SLICES, each a whole
 * number of tile steps (the kernel's kRange works out the same length from K and the count),
 * the last one not empty; 1 when the variant does not split (or K is too short to).
 */
export function kSlices(v: MatmulVariant, M: number, N: number, K: number): number {
  if (!v.split) return 1;
  const tiles = Math.ceil(N / variantColumns(v)) * Math.ceil(M / variantRows(v));
  const wanted = Math.max(1, Math.min(Math.ceil(v.split / tiles), Math.floor(K / MIN_SLICE), MAX_SLICES));
  const chunk = Math.ceil(Math.ceil(K / wanted) / SLICE_STEP) * SLICE_STEP;
  return Math.ceil(K / chunk);
}

/** Rows and columns a workgroup of a variant covers (the wide core: two tiles across). */
export const variantColumns = (v: MatmulVariant): number =>
  v.core === 'wide' ? 2 * v.tile : v.core === 'direct' || v.core === 'splitk' ? 4 : v.tile;
export const variantRows = (v: MatmulVariant): number => (v.core === 'direct' ? 64 : v.core === 'splitk' ? 4 : v.tile);

/** The pipeline constants of a variant: the workgroup edge WG, and TS where it is not 4 WG. */
export const variantConstants = (v: MatmulVariant): Record<string, number> =>
  v.core === 'tiled8'
    ? { WG: v.tile / 8, TS: v.tile }
    : v.core === 'direct' || v.core === 'splitk'
      ? {}
      : { WG: v.tile / 4 };

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
  candidates: readonly MatmulVariant[] = MATMUL_VARIANTS,
): Promise<MatmulVariant> {
  let perDevice = tuned.get(device);
  if (!perDevice) tuned.set(device, (perDevice = new Map()));
  let answer = perDevice.get(shape);
  if (!answer) {
    answer = (async () => {
      let best = candidates[0];
      let bestMs = Infinity;
      for (const v of candidates) {
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
