/**
 * Raw bytes hashed into buckets: equal values share a code, the bucket names follow FNV-1a of the
 * bytes folded to 16 bits (written out here apart from byte-buckets.ts), a column of them is
 * never a default feature or label, and once picked it encodes like any categorical column.
 */
import { Table, vectorFromArray, Binary, Float64, Utf8, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readArrow } from './arrow';
import { BYTE_BUCKETS, ByteBuckets } from './byte-buckets';
import { chooseLabel, defaultFeatures, encodeTable } from './encode';
import { Rng } from './rng';
import { referenceBucket } from './fixtures/bucket-reference';

const reference = referenceBucket;

describe('bytes hashed into buckets', () => {
  it('gives equal values one code, names each bucket by the reference hash, and holds at most 65,536', () => {
    const rng = new Rng(3);
    const values = Array.from({ length: 200_000 }, () =>
      Uint8Array.from({ length: 1 + rng.int(24) }, () => rng.int(256)),
    );
    const b = new ByteBuckets();
    const codes = values.map((v) => b.intern(v, 0, v.length));
    const names = b.strings();
    expect(names.length).toBeLessThanOrEqual(BYTE_BUCKETS);
    values.forEach((v, i) => {
      if (i % 97 === 0) expect(names[codes[i]]).toBe(reference(v));
    });
    // A value seen again (at another offset of a bigger buffer) gets the same code.
    const again = new Uint8Array(values[5].length + 3);
    again.set(values[5], 3);
    expect(b.intern(again, 3, values[5].length)).toBe(codes[5]);
  });

  it('is never a default label or feature; picked, it trains as a categorical feature', () => {
    const rng = new Rng(4);
    const rows = 600;
    const ids = Array.from({ length: rows }, (_, i) => Uint8Array.of(i % 5, 7, 9));
    const x = Float64Array.from({ length: rows }, () => rng.next());
    const label = Array.from({ length: rows }, (_, i) => (i % 5 < 2 ? 'a' : 'b'));
    const t = readArrow(
      tableToIPC(
        new Table({
          x: vectorFromArray(Array.from(x), new Float64()),
          label: vectorFromArray(label, new Utf8()),
          // Named like a label, but bytes: the label is still "label".
          target: vectorFromArray(ids, new Binary()),
        }),
      ),
      'ids.arrow',
    );
    expect(chooseLabel(t).name).toBe('label');
    expect(defaultFeatures(t, 'label')).toEqual(['x']);
    const enc = encodeTable(
      t,
      { label: 'label', features: ['x', 'target'] },
      { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
    );
    // Five distinct ids: five one-hot columns beside x, each row's id among them.
    expect(enc.dim).toBe(1 + 5);
    expect(enc.featureNames.filter((n) => n.startsWith('target')).length).toBe(5);
  });
});
