/**
 * The GPU side of `prepareOn: gpu` (src/core/data/prepare.ts describes the raw rows and the
 * recipe): the plan as wgsl/prepare.wgsl reads it, and the kernel's uniform.
 */
import type { DenseFeature } from '../../core/data/encode';
import type { Augment, RawKind } from '../../core/data/prepare';

/** The plan as the kernel reads it, (kind, source, a, b) per feature: scale (0, s, mean, std) or one-hot (1, s, value, 0). */
export function planWords(plan: readonly DenseFeature[]): Uint32Array {
  const out = new Uint32Array(4 * Math.max(1, plan.length));
  const f = new Float32Array(out.buffer);
  plan.forEach((p, j) => {
    out[4 * j + 1] = p.source;
    if (p.kind === 'onehot') {
      out[4 * j] = 1;
      out[4 * j + 2] = p.value;
    } else {
      f[4 * j + 2] = p.mean;
      f[4 * j + 3] = p.std;
    }
  });
  return out;
}

/** The kernel's PrepDims for `rows` raw rows written at `dstOff` with row stride `dstStride` (elements). */
export function prepareDims(
  rows: number,
  features: number,
  raw: { kind: RawKind; stride: number },
  dst: { off: number; stride: number },
  augment?: Augment | null,
): Uint32Array {
  const dims = new Uint32Array(16);
  dims.set([rows, features, raw.kind === 'bytes' ? 1 : 0, raw.stride, dst.off, dst.stride]);
  if (augment)
    dims.set([1, augment.pad, augment.flip ? 1 : 0, augment.seed >>> 0, augment.step >>> 0, ...augment.shape], 6);
  return dims;
}
