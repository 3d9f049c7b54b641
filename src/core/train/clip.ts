import * as tf from '@tensorflow/tfjs';

/**
 * Global L2 norm of a list of gradients, sqrt(sum over all elements of g^2), as a scalar
 * tensor the caller owns. Squares are summed in float32, so norms above ~1e19 overflow.
 */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const sums = grads.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(sums.length === 1 ? sums[0] : tf.addN(sums)) as tf.Scalar;
  });
}

/** Gradients scaled to a global norm of at most `clipNorm`, and the norm before clipping. */
export interface ClippedGradients {
  /** New tensors, each g * min(1, clipNorm / norm); the caller owns and disposes them. */
  grads: tf.Tensor[];
  /** Global norm before clipping; the caller owns it (read it with {@link readScalar}). */
  norm: tf.Scalar;
}

/**
 * Clip by global norm (Pascanu et al. 2013; TF `clip_by_global_norm`): every gradient is
 * multiplied by min(1, clipNorm / globalNorm), computed as clipNorm / max(globalNorm, clipNorm)
 * so a zero gradient stays zero. Nothing is read back to the CPU.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], clipNorm: number): ClippedGradients {
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm))
    throw new RangeError(`clipNorm must be a finite number > 0, got ${clipNorm}`);
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const scale = tf.div(tf.scalar(clipNorm), tf.maximum(norm, tf.scalar(clipNorm)));
    return { grads: grads.map((g) => tf.mul(g, scale)), norm };
  });
}

/** Reads a scalar tensor asynchronously (never `dataSync`), without disposing it. */
export async function readScalar(t: tf.Tensor): Promise<number> {
  const data = await t.data();
  return data[0];
}
