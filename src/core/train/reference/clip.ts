/** Float64 global L2 norm of a list of arrays. */
export function referenceGlobalNorm(grads: readonly Float64Array[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return Math.sqrt(sum);
}

/** Float64 clip by global norm: new arrays scaled by clip / norm when norm > clip, copies otherwise. */
export function referenceClip(grads: readonly Float64Array[], clip: number): { grads: Float64Array[]; norm: number } {
  const norm = referenceGlobalNorm(grads);
  const scale = norm > clip ? clip / norm : 1;
  return { grads: grads.map((g) => g.map((x) => x * scale)), norm };
}
