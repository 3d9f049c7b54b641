import { ConfigError } from '../errors';
import { Rng, iota } from './rng';

/** Fractions of the rows that go to each part; they must sum to 1. */
export interface SplitSpec {
  train: number;
  val: number;
  test: number;
  seed: number;
}

/** The split every run uses unless told otherwise: 80 % train, 10 % validation, 10 % test. */
export function defaultSplit(seed: number): SplitSpec {
  return { train: 0.8, val: 0.1, test: 0.1, seed };
}

export interface Split {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/**
 * Seeded split of rows 0..n-1: a shuffle, then contiguous slices. The same seed and n give
 * the same split everywhere. Each part keeps its rows in ascending order (cache-friendly reads).
 */
export function splitRows(n: number, spec: SplitSpec): Split {
  const total = spec.train + spec.val + spec.test;
  if (Math.abs(total - 1) > 1e-9 || spec.train <= 0 || spec.val < 0 || spec.test < 0) {
    throw new ConfigError(
      'data.split',
      `split fractions must be non-negative, with train > 0, and sum to 1 (got ${spec.train}/${spec.val}/${spec.test})`,
    );
  }
  const order = new Rng(spec.seed ^ 0x5eed).shuffle(iota(n));
  const nTrain = Math.max(1, Math.round(n * spec.train));
  const nVal = Math.min(n - nTrain, Math.round(n * spec.val));
  const sorted = (a: Int32Array) => a.slice().sort();
  return {
    train: sorted(order.subarray(0, nTrain)),
    val: sorted(order.subarray(nTrain, nTrain + nVal)),
    test: sorted(order.subarray(nTrain + nVal)),
  };
}
