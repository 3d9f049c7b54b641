import { describe, expect, it } from 'vitest';
import { dottedLeaf, editDistance, nearField, nearName, nearText, sameWords, someNames, uniqueNames } from './names';
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

/** Levenshtein distance by recursion over all alignments, memoised (the reference). */
function levenshtein(a: string, b: string): number {
  const memo = new Map<string, number>();
  const d = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const key = `${i},${j}`;
    let v = memo.get(key);
    if (v === undefined) {
      v = Math.min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      memo.set(key, v);
    }
    return v;
  };
  return d(a.length, b.length);
}

describe('nearName (the "did you mean" of column names and filter values)', () => {
  it('gives the closest name within one edit (two from six characters), case aside, or none (seeded)', () => {
    const rng = new Rng(31);
    const word = (n: number) => Array.from({ length: n }, () => 'abAB'[rng.int(4)]).join('');
    for (let trial = 0; trial < 1500; trial++) {
      const names = Array.from({ length: 1 + rng.int(6) }, () => word(1 + rng.int(8)));
      const given = word(1 + rng.int(8));
      const where = JSON.stringify({ given, names });
      const same = names.find((n) => n.toLowerCase() === given.toLowerCase());
      const dist = names.map((n) => levenshtein(given.toLowerCase(), n.toLowerCase()));
      const best = Math.min(...dist);
      const near = nearName(given, names);
      if (same !== undefined) expect(near, where).toBe(same);
      else if (best < (given.length >= 6 ? 3 : 2)) expect(near, where).toBe(names[dist.indexOf(best)]);
      else expect(near, where).toBeUndefined();
      // The capped distance: exact below the cap, at least the cap otherwise.
      for (const n of names) {
        const cap = 1 + rng.int(4);
        const [capped, exact] = [editDistance(given, n, cap), levenshtein(given, n)];
        if (exact < cap) expect(capped, where).toBe(exact);
        else expect(capped, where).toBeGreaterThanOrEqual(cap);
        expect(editDistance(given, n), where).toBe(exact);
      }
    }
  });

  it('names the flattened JSON column a leaf name stands for, and only a leaf after a dot', () => {
    const geo = ['type', 'properties.mag', 'properties.place', 'geometry.type', 'id'];
    expect(nearText('mag', geo)).toBe('did you mean "properties.mag"?; ');
    expect(nearText('MAG', geo)).toBe('did you mean "properties.mag"?; ');
    // An edit away wins over a leaf: "typo" is "type", not a leaf.
    expect(nearText('typo', geo)).toBe('did you mean "type"?; ');
    expect(nearText('Type', geo)).toBe('did you mean "type"?; ');
    // "ag" is the end of "mag" but not a dotted part of it; a dotted name is not a leaf.
    expect(nearText('ag', geo)).toBe('');
    expect(nearText('es.mag', geo)).toBe('');
    expect(nearText('', geo)).toBe('');
    const many = ['a.x', 'b.x', 'c.x', 'd.x', 'x2y'];
    expect(dottedLeaf('x', many)).toEqual(['a.x', 'b.x', 'c.x', 'd.x']);
    expect(nearText('xx', ['a.xx', 'b.xx'])).toBe('did you mean "a.xx" or "b.xx"?; ');
    expect(nearText('wxyz', ['a.wxyz', 'b.wxyz', 'c.wxyz', 'd.wxyz'])).toBe(
      'did you mean "a.wxyz" or "b.wxyz" or "c.wxyz" (4 columns end in ".wxyz")?; ',
    );
    // Brute force: every leaf suggestion is a name whose text after its last dot is the given name.
    const rng = new Rng(7);
    const part = () => ['a', 'b', 'ab', 'ba', 'A'][rng.int(5)];
    for (let trial = 0; trial < 500; trial++) {
      const names = Array.from({ length: 1 + rng.int(6) }, () =>
        Array.from({ length: 1 + rng.int(3) }, part).join('.'),
      );
      const given = part();
      const expected = names.filter((n) => n.includes('.') && n.toLowerCase().endsWith('.' + given.toLowerCase()));
      expect(dottedLeaf(given, names), JSON.stringify({ given, names })).toEqual(expected);
    }
  });

  it('names the column written in other words: separators, case, a trailing unit in brackets', () => {
    const penguins = ['Species', 'Beak Length (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'];
    expect(nearText('Body_Mass', penguins)).toBe('did you mean "Body Mass (g)"?; ');
    expect(nearText('flipper_length_mm', penguins)).toBe('did you mean "Flipper Length (mm)"?; ');
    expect(nearText('BeakLength', penguins)).toBe('did you mean "Beak Length (mm)"?; ');
    // Other words are not these words; only a trailing unit is left out; nothing from no letters.
    expect(nearText('Body_Weight', penguins)).toBe('');
    expect(sameWords('Mass', penguins)).toEqual([]);
    expect(sameWords('__', penguins)).toEqual([]);
    expect(sameWords('x', ['x (a) y'])).toEqual([]);
    // Brute force (seeded): a name rebuilt from its words with other separators and case, with or
    // without its unit, is found; a name of other words is not.
    const rng = new Rng(11);
    const words = ['delay', 'Distance', 'air', 'TIME', 'wind', 'speed', 'a1'];
    const seps = [' ', '_', '-', '', '.'];
    for (let trial = 0; trial < 400; trial++) {
      const pick = () => Array.from({ length: 1 + rng.int(3) }, () => words[rng.int(words.length)]);
      const own = pick();
      const unit = rng.int(2) ? ` (${['km', 'mph', 's'][rng.int(3)]})` : '';
      const name = own.join(' ') + unit;
      const other = pick();
      const names = [name, other.join(' ')];
      const sep = seps[rng.int(seps.length)];
      const given = own.map((w) => (rng.int(2) ? w.toUpperCase() : w.toLowerCase())).join(sep);
      const where = JSON.stringify({ given, names });
      const found = sameWords(given, names);
      expect(found, where).toContain(name);
      const same = (a: string[], b: string[]) => a.join('').toLowerCase() === b.join('').toLowerCase();
      if (!same(own, other)) expect(found, where).toEqual([name]);
    }
  });

  it('nearField: an alias first, then a near spelling, then the one field of the same words', () => {
    const known = ['learningRate', 'weightDecay', 'beta1', 'beta2'];
    const aliases = { lr: 'learningRate', wd: 'weightDecay', gone: 'notAField' };
    expect(nearField('LR', known, aliases)).toBe('learningRate');
    expect(nearField('learnngRate', known, aliases)).toBe('learningRate');
    expect(nearField('weight_decay', known, aliases)).toBe('weightDecay');
    // An alias of a field not known, a prototype key, and several fields of the same words: none.
    expect(nearField('gone', known, aliases)).toBeUndefined();
    expect(nearField('constructor', known, aliases)).toBeUndefined();
    expect(nearField('x_y_z_w', ['xYZW', 'x-y-z-w'], {})).toBeUndefined();
    // Brute force (seeded): without aliases it is nearName's answer, else sameWords' single one.
    const rng = new Rng(5);
    const letters = 'abAB_';
    for (let trial = 0; trial < 300; trial++) {
      const word = () => Array.from({ length: 1 + rng.int(4) }, () => letters[rng.int(letters.length)]).join('');
      const names = Array.from({ length: 1 + rng.int(4) }, word);
      const given = word();
      const words = sameWords(given, names);
      const expected = nearName(given, names) ?? (words.length === 1 ? words[0] : undefined);
      expect(nearField(given, names), JSON.stringify({ given, names })).toBe(expected);
    }
  });

  it('lists at most the names asked, saying how many there are in all', () => {
    expect(someNames(['a', 'b'])).toBe('a, b');
    expect(someNames(['a', 'b', 'c'], 2)).toBe('a, b, ... (3 in all)');
  });
});
