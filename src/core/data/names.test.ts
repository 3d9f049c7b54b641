import { describe, expect, it } from 'vitest';
import { uniqueNames } from './names';
import { Rng } from './rng';

describe('uniqueNames', () => {
  it('keeps the first of each name, renames the rest apart from every name given (seeded random lists)', () => {
    const rng = new Rng(12);
    const pool = ['a', 'a_2', 'a_3', 'b', '', 'column_1', 'column_2', 'column_3', 'a_2_2'];
    for (let trial = 0; trial < 2000; trial++) {
      const names = Array.from({ length: 1 + rng.int(8) }, () => pool[rng.int(pool.length)]);
      const out = uniqueNames(names);
      const where = JSON.stringify(names);
      expect(out, where).toHaveLength(names.length);
      expect(new Set(out).size, where).toBe(out.length);
      const given = new Set(names);
      names.forEach((n, i) => {
        if (n !== '' && names.indexOf(n) === i) expect(out[i], where).toBe(n);
        else {
          // Renamed: the name (or column_N for an empty one) with a suffix, taken by no name given.
          const base = n === '' ? `column_${i + 1}` : n;
          if (out[i] !== base) {
            expect(out[i].startsWith(`${base}_`), where).toBe(true);
            expect(given.has(out[i]), where).toBe(false);
          } else expect(given.has(base), where).toBe(false);
        }
      });
    }
  });

  it('is the identity on names already unique and non-empty', () => {
    expect(uniqueNames(['x', 'y', 'x_2'])).toEqual(['x', 'y', 'x_2']);
    expect(uniqueNames(['a', 'a', 'a_2'])).toEqual(['a', 'a_3', 'a_2']);
    expect(uniqueNames(['', 'column_1'])).toEqual(['column_1_2', 'column_1']);
  });
});
