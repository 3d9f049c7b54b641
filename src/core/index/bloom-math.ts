/**
 * Sizing of a blocked Bloom filter (512-bit blocks, k bits per item inside one block).
 *
 * A classic filter of m bits holding n items with k hash functions has false-positive rate
 * (1 - e^(-kn/m))^k, minimised at m = -n ln p / (ln 2)^2, k = (m/n) ln 2. A blocked filter
 * first picks a block, so blocks fill unevenly: the number of items j in a block is Poisson
 * with mean λ = n / blocks, and
 *
 *   FPR = Σ_j Poisson(j; λ) · (1 - (1 - 1/512)^(j k))^k.
 *
 * Crowded blocks dominate, so at p = 0.01 the blocked filter needs about 10-11 % more bits
 * than the classic formula says. {@link sizeBlocked} evaluates this sum exactly and takes the
 * smallest block count (over k = 1..16) whose rate is at most p, so the measured rate lands
 * on the configured one instead of above it.
 */

/** Bits per block. */
export const BLOCK_BITS = 512;

/** Expected false-positive rate of `blocks` blocks holding `items` items with k bits each. */
export function blockedFpr(items: number, blocks: number, k: number): number {
  const lambda = items / blocks;
  const q = Math.log1p(-1 / BLOCK_BITS) * k; // ln of P(a bit stays 0) per item
  const jMax = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 30);
  let logP = -lambda; // ln Poisson(0; λ)
  let sum = 0;
  for (let j = 0; j <= jMax; j++) {
    if (j > 0) logP += Math.log(lambda / j);
    sum += Math.exp(logP) * Math.pow(-Math.expm1(q * j), k);
  }
  return sum;
}

/** Blocks and k for n expected items at false-positive rate p (fewest bits; then fewest k). */
export function sizeBlocked(items: number, p: number): { blocks: number; k: number } {
  let best = { blocks: Infinity, k: 1 };
  for (let k = 1; k <= 16; k++) {
    // The classic size is a lower bound; the blocked one is within a factor of 2 above it.
    let lo = Math.max(1, Math.floor((-items * Math.log(p)) / (Math.LN2 * Math.LN2) / BLOCK_BITS / 2));
    let hi = lo * 8 + 8;
    while (blockedFpr(items, hi, k) > p) hi *= 2;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (blockedFpr(items, mid, k) <= p) hi = mid;
      else lo = mid + 1;
    }
    if (lo < best.blocks) best = { blocks: lo, k };
  }
  return best;
}
