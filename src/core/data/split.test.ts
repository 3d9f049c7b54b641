import { describe, expect, it } from 'vitest';
import { splitRows } from './split';
import { ConfigError } from '../errors';

describe('splitRows', () => {
  it('partitions the rows by the fractions, repeatably', () => {
    const spec = { train: 0.8, val: 0.1, test: 0.1, seed: 3 };
    const s = splitRows(1001, spec);
    const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1001 }, (_, i) => i));
    expect(s.train.length).toBe(801);
    expect(s.val.length).toBe(100);
    expect(splitRows(1001, spec)).toEqual(s);
    expect(splitRows(1001, { ...spec, seed: 4 }).val).not.toEqual(s.val);
  });

  it('refuses fractions that do not sum to one', () => {
    expect(() => splitRows(10, { train: 0.8, val: 0.3, test: 0, seed: 1 })).toThrow(/sum to 1/);
    expect(() => splitRows(10, { train: 0, val: 0.5, test: 0.5, seed: 1 })).toThrow(
      new ConfigError(
        'data.split',
        'split fractions must be non-negative, with train > 0, and sum to 1 (got 0/0.5/0.5)',
      ),
    );
  });
});
