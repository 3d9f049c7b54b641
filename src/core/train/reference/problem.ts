/**
 * A small, well-conditioned, seeded test problem with parameter tensors of several shapes:
 * least squares for a linear layer (W [4, 3], b [3]) plus separable quadratics for a rank-3
 * tensor Q [2, 2, 2] and a scalar s:
 *   L = (1 / 2n) ||X W + b - Y||^2 + 1/2 sum a (Q - C)^2 + 1/2 as (s - cs)^2.
 * Optimum and start are positive and apart, so no parameter passes near zero and relative
 * errors stay meaningful. Gradients are analytic, in float64.
 */
import { Rng } from '../../data/rng';

/** mulberry32: a seeded uniform generator in [0, 1). */
export function seededUniform(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Shapes of the parameter tensors, in order W, b, Q, s. */
export const SHAPES: readonly (readonly number[])[] = [[4, 3], [3], [2, 2, 2], []];

export interface Problem {
  n: number;
  /** X as [n, 4], row-major. */
  x: Float64Array;
  /** Y as [n, 3], row-major. */
  y: Float64Array;
  /** Curvatures and centres of the Q and s quadratics. */
  a: Float64Array;
  c: Float64Array;
  aS: number;
  cS: number;
  /** Starting parameters, already float32-representable. */
  init: Float64Array[];
}

/** Builds the problem from a seed. X has entries uniform in [-1, 1] plus a dominant diagonal. */
export function makeProblem(seed = 7, n = 16): Problem {
  const r = seededUniform(seed);
  const u = (lo: number, hi: number) => Math.fround(lo + (hi - lo) * r());
  const x = new Float64Array(n * 4).map(() => u(-1, 1));
  for (let i = 0; i < n; i++) x[i * 4 + (i % 4)] += 2;
  const wStar = new Float64Array(12).map(() => u(1, 2));
  const bStar = new Float64Array(3).map(() => u(1, 2));
  const y = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      let v = bStar[k] + 0.05 * (r() - 0.5);
      for (let j = 0; j < 4; j++) v += x[i * 4 + j] * wStar[j * 3 + k];
      y[i * 3 + k] = Math.fround(v);
    }
  }
  const a = new Float64Array(8).map(() => u(0.5, 2));
  const c = new Float64Array(8).map(() => u(1, 2));
  const init = [
    new Float64Array(12).map(() => u(0.2, 0.6)),
    new Float64Array(3).map(() => u(0.2, 0.6)),
    new Float64Array(8).map(() => u(0.2, 0.6)),
    Float64Array.of(u(0.2, 0.6)),
  ];
  return { n, x, y, a, c, aS: 1.25, cS: 1.5, init };
}

/** Analytic float64 gradient of the loss at `params` (W, b, Q, s). */
export function problemGradient(pb: Problem, params: readonly Float64Array[]): Float64Array[] {
  const [w, b, q, s] = params;
  const gw = new Float64Array(12);
  const gb = new Float64Array(3);
  for (let i = 0; i < pb.n; i++) {
    for (let k = 0; k < 3; k++) {
      let res = b[k] - pb.y[i * 3 + k];
      for (let j = 0; j < 4; j++) res += pb.x[i * 4 + j] * w[j * 3 + k];
      res /= pb.n;
      gb[k] += res;
      for (let j = 0; j < 4; j++) gw[j * 3 + k] += pb.x[i * 4 + j] * res;
    }
  }
  const gq = q.map((v, i) => pb.a[i] * (v - pb.c[i]));
  return [gw, gb, gq, Float64Array.of(pb.aS * (s[0] - pb.cS))];
}
