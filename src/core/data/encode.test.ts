import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher';
import {
  chooseLabel,
  defaultFeatures,
  denseRows,
  encodeTable,
  featuresFromStats,
  notDefaultFeature,
  HASH_BUCKETS,
  ONE_HOT_LIMIT,
  defaultLabel,
  encodeWithInputs,
  labelTask,
} from './encode';
import { encodeRow } from './preprocessing';
import { columnStats, tableStats } from './stats';
import { readTable } from './read';
import { Rng, iota } from './rng';
import type { DataTable } from './table';

const split = { train: 0.6, val: 0.2, test: 0.2, seed: 9 };

function table(rows: number): DataTable {
  const rng = new Rng(2);
  const ids = Array.from({ length: 500 }, (_, i) => `user-${i}`);
  return {
    name: 'synthetic.csv',
    format: 'csv',
    rows,
    columns: [
      {
        kind: 'numeric',
        name: 'x',
        type: 'float',
        values: Float64Array.from({ length: rows }, () => 5 + 3 * rng.normal()),
        valid: Uint8Array.from({ length: rows }, () => (rng.next() < 0.9 ? 1 : 0)),
      },
      {
        kind: 'categorical',
        name: 'colour',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, () => rng.int(4) - 1),
        dictionary: ['red', 'green', 'blue'],
      },
      {
        kind: 'categorical',
        name: 'user',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, () => rng.int(ids.length)),
        dictionary: ids,
      },
      {
        kind: 'numeric',
        name: 'price',
        type: 'float',
        values: Float64Array.from({ length: rows }, () => 100 + 20 * rng.normal()),
        valid: Uint8Array.from({ length: rows }, () => (rng.next() < 0.95 ? 1 : 0)),
      },
      {
        kind: 'categorical',
        name: 'label',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, () => (rng.next() < 0.05 ? -1 : rng.int(2))),
        dictionary: ['no', 'yes'],
      },
    ],
  };
}

describe('encodeTable', () => {
  const t = table(2000);
  const enc = encodeTable(t, { label: 'label', features: ['x', 'colour', 'user'] }, split);
  const [x, colour, user, , label] = t.columns as [
    Extract<DataTable['columns'][number], { kind: 'numeric' }>,
    Extract<DataTable['columns'][number], { kind: 'categorical' }>,
    Extract<DataTable['columns'][number], { kind: 'categorical' }>,
    unknown,
    Extract<DataTable['columns'][number], { kind: 'categorical' }>,
  ];

  it('drops rows without a label and keeps the others in order', () => {
    const kept = Array.from({ length: t.rows }, (_, i) => i).filter((i) => label.codes[i] >= 0);
    expect(Array.from(enc.sourceRows)).toEqual(kept);
    expect(enc.droppedMissingLabel).toBe(t.rows - kept.length);
    expect(Array.from(enc.y)).toEqual(kept.map((i) => enc.classes!.indexOf(label.dictionary[label.codes[i]])));
  });

  it('standardises numbers with the training split only (float64 reference), missing -> 0', () => {
    const trainValues = Array.from(enc.split.train, (r) => enc.sourceRows[r])
      .filter((i) => x.valid![i])
      .map((i) => x.values[i]);
    const mean = trainValues.reduce((a, b) => a + b, 0) / trainValues.length;
    const std = Math.sqrt(trainValues.reduce((a, b) => a + (b - mean) ** 2, 0) / trainValues.length);
    const col = enc.featureNames.indexOf('x');
    for (let r = 0; r < enc.rows; r += 7) {
      const i = enc.sourceRows[r];
      const expected = x.valid![i] ? (x.values[i] - mean) / std : 0;
      expect(enc.x[r * enc.denseDim + col]).toBeCloseTo(expected, 5);
    }
  });

  it('one-hot encodes small categoricals and hashes large ones sparsely', () => {
    expect(user.dictionary.length).toBeGreaterThan(ONE_HOT_LIMIT);
    expect(enc.denseDim).toBe(1 + 3);
    expect(enc.dim).toBe(enc.denseDim + HASH_BUCKETS);
    expect(enc.x.length).toBe(enc.rows * enc.denseDim); // rows x buckets is never materialised
    const dense = denseRows(enc, iota(enc.rows));
    const bucketOfValue = new Map<number, number>();
    for (let r = 0; r < enc.rows; r++) {
      const i = enc.sourceRows[r];
      const row = dense.subarray(r * enc.dim, (r + 1) * enc.dim);
      // one-hot block
      const oneHot = Array.from(row.subarray(1, 4));
      expect(oneHot).toEqual([0, 1, 2].map((c) => (colour.codes[i] === c ? 1 : 0)));
      // hashed block: exactly one bucket set, the same bucket for the same value
      const block = row.subarray(enc.denseDim);
      const set = Array.from(block.keys()).filter((b) => block[b] !== 0);
      expect(set).toHaveLength(1);
      const code = user.codes[i];
      if (bucketOfValue.has(code)) expect(set[0]).toBe(bucketOfValue.get(code));
      bucketOfValue.set(code, set[0]);
    }
  });

  it('batches carry the same vectors as the dense rows', () => {
    const b = new Batcher({
      x: enc.x,
      dim: enc.dim,
      denseDim: enc.denseDim,
      sparse: enc.sparse,
      y: enc.y,
      rows: enc.split.train,
      batchSize: 64,
      epochs: 1,
      seed: 1,
      shuffle: false,
    });
    const xb = new Float32Array(64 * enc.dim);
    const info = b.fill(xb, new Float32Array(64));
    expect(Array.from(xb.subarray(0, info.size * enc.dim))).toEqual(
      Array.from(denseRows(enc, enc.split.train.subarray(0, info.size))),
    );
  });

  it('standardises a numeric label and records how to undo it', () => {
    const r = encodeTable(t, { label: 'price', features: ['x'] }, split);
    expect(r.task).toBe('regression');
    const price = t.columns[3] as typeof x;
    for (let k = 0; k < r.rows; k += 11)
      expect(r.y[k] * r.target!.std + r.target!.mean).toBeCloseTo(price.values[r.sourceRows[k]], 3);
  });

  it('refuses NaN and Infinity, naming the file and the column', () => {
    const bad: DataTable = {
      ...t,
      columns: [
        ...t.columns,
        {
          kind: 'numeric',
          name: 'broken',
          type: 'float',
          values: Float64Array.from({ length: t.rows }, (_, i) => (i % 100 === 0 ? NaN : i === 5 ? Infinity : i)),
          valid: null,
        },
      ],
    };
    expect(() => encodeTable(bad, { label: 'label', features: ['broken'] }, split)).toThrow(
      'synthetic.csv: column "broken" has 21 non-finite values',
    );
  });

  it('refuses a label column with fewer than two values, counting them in words', () => {
    const labelled = (n: number): DataTable => ({
      ...t,
      columns: t.columns.map((c) =>
        c.name === 'x' && c.kind === 'numeric'
          ? { ...c, valid: Uint8Array.from({ length: t.rows }, (_, i) => (i < n ? 1 : 0)) }
          : c,
      ),
    });
    // A reference count: the rows whose label is present, from the column's own mask.
    for (const n of [0, 1]) {
      const table = labelled(n);
      const col = table.columns.find((c) => c.name === 'x');
      if (col?.kind !== 'numeric' || !col.valid) throw new Error('column x is numeric with a mask');
      expect(Array.from(col.valid).reduce((a, v) => a + v, 0)).toBe(n);
      expect(() => encodeTable(table, { label: 'x', features: ['label'] }, split)).toThrow(
        n === 1
          ? 'synthetic.csv: only 1 row has a value in label column "x"'
          : 'synthetic.csv: no row has a value in label column "x"',
      );
    }
  });

  it('refuses a missing label column and an empty feature list', () => {
    expect(() => encodeTable(t, { label: 'nope', features: ['x'] }, split)).toThrow(
      'synthetic.csv: no column named "nope"',
    );
    expect(() => encodeTable(t, { label: 'label', features: [] }, split)).toThrow(/at least one feature/);
  });

  it('picks the label by name, most telling first', () => {
    expect(defaultLabel(t)).toBe('label');
  });
});

describe('the default label on real files', () => {
  /** Classes (non-missing) of a column and the largest one's share, counted with a Map of cell text. */
  const classesOf = (rows: Record<string, unknown>[], col: string) => {
    const counts = new Map<string, number>();
    for (const r of rows)
      if (r[col] !== null && r[col] !== undefined && r[col] !== '')
        counts.set(String(r[col]), (counts.get(String(r[col])) ?? 0) + 1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return { classes: counts.size, share: Math.max(...counts.values()) / total };
  };

  it(
    'skips high-cardinality and one-value columns (movies Director, zipcodes county, airports country) ' +
      'and says why',
    () => {
      const movies = readTable(readFileSync('node_modules/vega-datasets/data/movies.json'), 'movies.json');
      const pick = chooseLabel(movies);
      expect(pick.name).not.toBe('Director');
      const rows = JSON.parse(readFileSync('node_modules/vega-datasets/data/movies.json', 'utf8')) as Record<
        string,
        unknown
      >[];
      const { classes, share } = classesOf(rows, pick.name);
      expect(classes).toBeGreaterThanOrEqual(2);
      expect(classes).toBeLessThanOrEqual(50);
      expect(share).toBeLessThan(0.9);
      expect(pick.reason).toContain(`${classes} classes`);
      // Every categorical column after it fails the rule.
      const names = movies.columns.map((c) => c.name);
      for (const later of names.slice(names.indexOf(pick.name) + 1)) {
        const c = movies.columns.find((x) => x.name === later)!;
        if (c.kind !== 'categorical') continue;
        const k = classesOf(rows, later);
        expect(k.classes < 2 || k.classes > 50 || k.share >= 0.9, later).toBe(true);
      }

      for (const file of ['zipcodes.csv', 'airports.csv']) {
        const table = readTable(readFileSync(`node_modules/vega-datasets/data/${file}`), file);
        const p = chooseLabel(table);
        expect(['county', 'country', 'state', 'city', 'name', 'iata', 'zip_code']).not.toContain(p.name);
        expect(table.columns.find((c) => c.name === p.name)!.kind).toBe('numeric');
        expect(p.reason).toMatch(/regression/);
      }
    },
  );

  it("a categorical naming each row is no default label (vega's monarchs: 12 names in 12 rows)", () => {
    const monarchs = readTable(readFileSync('node_modules/vega-datasets/data/monarchs.json'), 'monarchs.json');
    const names = monarchs.columns.find((c) => c.name === 'name')!;
    expect(columnStats(names).distinct).toBe(monarchs.rows);
    const pick = chooseLabel(monarchs);
    expect(pick.name).not.toBe('name');
    expect(pick.reason).toMatch(/^no categorical column with 2 to 50 balanced classes: the last numeric column/);
  });

  it("Kaggle's Titanic header: Survived (0/1 as numbers) is the label, read as two classes, not Embarked", () => {
    const csv =
      'PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n' +
      Array.from(
        { length: 60 },
        (_, i) =>
          `${i + 1},${i % 3 === 0 ? 1 : 0},${1 + (i % 3)},"Name ${i}",${i % 2 ? 'male' : 'female'},${20 + (i % 40)},` +
          `${i % 2},0,T${i},${(7.25 + i).toFixed(2)},,${'SCQ'[i % 3]}`,
      ).join('\n');
    const table = readTable(new TextEncoder().encode(csv), 'train.csv');
    expect(chooseLabel(table)).toEqual({ name: 'Survived', reason: 'named like a label ("survived")' });
    const s = columnStats(table.columns.find((c) => c.name === 'Survived')!);
    expect(labelTask(s).task).toBe('classification');
  });

  it('a conventionally named column wins, and penguins keeps Species', () => {
    const penguins = readTable(readFileSync('node_modules/vega-datasets/data/penguins.json'), 'penguins.json');
    expect(chooseLabel(penguins)).toEqual({ name: 'Species', reason: 'named like a label ("species")' });
  });
});

describe('numbered column families', () => {
  it('scale image pixels as one group (pooled float64 moments), other columns alone', () => {
    const rng = new Rng(8);
    const rows = 300;
    const pixels = Array.from({ length: 20 }, (_, p) => ({
      kind: 'numeric' as const,
      name: `p${p}`,
      type: 'int' as const,
      valid: null,
      // Pixel 0 is almost never inked: alone, its deviation would be tiny.
      values: Int32Array.from({ length: rows }, () => (p === 0 ? (rng.next() < 0.01 ? 255 : 0) : rng.int(256))),
    }));
    const t: DataTable = {
      name: 'digits.arrow',
      format: 'arrow',
      rows,
      columns: [
        ...pixels,
        {
          kind: 'numeric',
          name: 'age',
          type: 'float',
          values: Float64Array.from({ length: rows }, () => 40 + 10 * rng.normal()),
          valid: null,
        },
        {
          kind: 'categorical',
          name: 'label',
          type: 'categorical',
          codes: Int32Array.from({ length: rows }, () => rng.int(2)),
          dictionary: ['a', 'b'],
        },
      ],
    };
    const enc = encodeTable(
      t,
      { label: 'label', features: [...pixels.map((p) => p.name), 'age'] },
      { train: 1, val: 0, test: 0, seed: 1 },
    );
    const all = pixels.flatMap((p) => Array.from(p.values));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    for (let r = 0; r < rows; r += 13) {
      for (const p of [0, 7, 19])
        expect(enc.x[r * enc.denseDim + p]).toBeCloseTo((pixels[p].values[enc.sourceRows[r]] - mean) / std, 4);
    }
    const ages = (t.columns[20] as { values: Float64Array }).values;
    const am = ages.reduce((a, b) => a + b, 0) / rows;
    const as = Math.sqrt(ages.reduce((a, b) => a + (b - am) ** 2, 0) / rows);
    expect(enc.x[5 * enc.denseDim + 20]).toBeCloseTo((ages[enc.sourceRows[5]] - am) / as, 4);
  });
});

describe('default features on the page and in the decoder agree', () => {
  it(
    'featuresFromStats (schema statistics) gives defaultFeatures (the table): ids and mostly-missing ' +
      'columns left out for any label',
    () => {
      const rows = 200;
      const lines = ['id,kind,x,y,sparse'];
      for (let i = 0; i < rows; i++)
        lines.push(`u${i},${['a', 'b', 'c'][i % 3]},${i * 0.5},${i % 7},${i % 5 === 0 ? i : ''}`);
      const table = readTable(new TextEncoder().encode(lines.join('\n')), 'f.csv');
      const stats = tableStats(table);
      for (const label of ['kind', 'x', 'y', 'id']) {
        const want = defaultFeatures(table, label);
        expect(featuresFromStats(stats, table.rows, label)).toEqual(want);
        expect(want).not.toContain('id');
        expect(want).not.toContain('sparse');
        expect(want).not.toContain(label);
      }
    },
  );
});

describe('a row index saved with the data is not a default feature', () => {
  const rng = new Rng(17);
  const rows = 240;
  /** A CSV whose first column is `name` holding `index(i)`, then a feature and a label. */
  const csv = (name: string, index: (i: number) => string) => {
    const lines = [`${name},x,label`];
    for (let i = 0; i < rows; i++) lines.push(`${index(i)},${rng.normal().toFixed(4)},${i % 2 ? 'yes' : 'no'}`);
    return readTable(new TextEncoder().encode(lines.join('\n')), 'frame.csv');
  };
  const shuffled = Array.from({ length: rows }, (_, i) => i + 1).sort(() => rng.next() - 0.5);
  /** The reference: the column holds each of `rows` consecutive integers exactly once. */
  const consecutive = (t: DataTable) => {
    const c = t.columns[0];
    if (c.kind !== 'numeric' || c.type !== 'int') return false;
    const v = Array.from(c.values).sort((a, b) => a - b);
    return v.every((x, i) => x === v[0] + i);
  };

  it.each([
    // pandas' to_csv: an empty header (read as column_1), 0..n-1; after read_csv and to_csv again: "Unnamed: 0".
    ['', (i: number) => String(i), true],
    ['Unnamed: 0', (i: number) => String(i), true],
    // A sampled frame keeps its old index, shuffled; R's write.csv numbers rows from 1.
    ['Unnamed: 0', (i: number) => String(shuffled[i]), true],
    ['', (i: number) => `"${i + 1}"`, true],
    ['index', (i: number) => String(i + 1), true],
    ['__index_level_0__', (i: number) => String(i), true],
    // Not an index: a gap, a repeat, a fraction, or a name of its own (a year per row is a measurement).
    ['index', (i: number) => String(i < 100 ? i : i + 1), false],
    ['', (i: number) => String(i === 5 ? 4 : i), false],
    ['index', (i: number) => String(i + 0.5), false],
    ['year', (i: number) => String(1880 + i), false],
  ] as const)('first column %j: left out = %s', (name, index, leftOut) => {
    const t = csv(name, index);
    const col = t.columns[0].name;
    const named = /^(column_1|Unnamed: \d+|index|__index_level_0__)$/.test(col);
    expect(named && consecutive(t), 'the reference agrees with the case').toBe(leftOut);
    expect(defaultFeatures(t, 'label').includes(col)).toBe(!leftOut);
    expect(featuresFromStats(tableStats(t), t.rows, 'label')).toEqual(defaultFeatures(t, 'label'));
    if (leftOut)
      expect(notDefaultFeature(columnStats(t.columns[0]), t.rows)).toMatch(/^the row numbers \d+ to \d+, each once/);
  });
});

describe('encodeWithInputs (a recorded layout applied to rows)', () => {
  const t = table(1500);
  const enc = encodeTable(t, { label: 'label', features: ['x', 'colour', 'user', 'price'] }, split);
  const dense = denseRows(enc, iota(enc.rows));

  it("with the table's own layout it reproduces encodeTable's rows (scaled, one-hot, hashed; missing values)", () => {
    const got = encodeWithInputs(t, enc.inputs, enc.sourceRows);
    expect(got.length).toBe(dense.length);
    for (let i = 0; i < got.length; i++) if (got[i] !== dense[i]) expect(got[i]).toBeCloseTo(dense[i], 6);
  });

  it('refuses a row whose value lies beyond float32 on the recorded scale, naming column and row', () => {
    const inputs = enc.inputs.map((f) => (f.column === 'price' && f.kind === 'scale' ? { ...f, std: 1e-40 } : f));
    const price = t.columns.find((c) => c.name === 'price')!;
    const row = enc.sourceRows.find((i) => price.kind === 'numeric' && (price.valid === null || price.valid[i] !== 0))!;
    expect(() => encodeWithInputs(t, inputs, Int32Array.of(row))).toThrow(
      new RegExp(`^synthetic\\.csv: column "price", row ${row}: the value is so far from the train rows' values`),
    );
  });

  it("agrees with encodeRow (the exporters' one-row form) on a layout from other rows, in any row order", () => {
    // A layout fitted on the first 300 rows only (other means, a one-hot list without "blue").
    const first = encodeTable(t, { label: 'label', features: ['x', 'colour', 'user', 'price'] }, split, {
      rows: iota(300),
    });
    const inputs = first.inputs.map((f) =>
      f.kind === 'onehot' ? { ...f, values: f.values.filter((v) => v !== 'blue') } : f,
    );
    const pre = {
      inputs,
      dim: inputs.reduce((d, f) => d + (f.kind === 'scale' ? 1 : f.kind === 'onehot' ? f.values.length : f.buckets), 0),
    };
    const rows = Int32Array.from([1400, 3, 77, 3, 999]);
    const got = encodeWithInputs(t, inputs, rows);
    rows.forEach((i, r) => {
      const raw = Object.fromEntries(
        t.columns.map((c) => [
          c.name,
          c.kind === 'categorical'
            ? c.codes[i] < 0
              ? null
              : c.dictionary[c.codes[i]]
            : c.valid && c.valid[i] === 0
              ? null
              : c.values[i],
        ]),
      );
      const want = encodeRow(pre as Parameters<typeof encodeRow>[0], raw);
      Array.from(want).forEach((v, k) => expect(got[r * pre.dim + k]).toBeCloseTo(v, 6));
    });
  });

  it('refuses a column that is missing or of another kind, naming it', () => {
    expect(() => encodeWithInputs(t, [{ column: 'nope', kind: 'scale', mean: 0, std: 1 }], iota(3))).toThrow(/nope/);
    expect(() => encodeWithInputs(t, [{ column: 'colour', kind: 'scale', mean: 0, std: 1 }], iota(3))).toThrow(
      /column "colour" is categorical here, but the model scaled/,
    );
    expect(() => encodeWithInputs(t, [{ column: 'x', kind: 'onehot', values: ['a'] }], iota(3))).toThrow(
      /column "x" is numeric here, but the model one-hot encoded/,
    );
  });
});

describe('identifier-like categoricals in a small table are not default features', () => {
  it('la-riots.csv (63 rows): first and last names and street addresses left out, the neighbourhood kept', () => {
    const bytes = readFileSync('node_modules/vega-datasets/data/la-riots.csv');
    const t = readTable(new Uint8Array(bytes), 'la-riots.csv');
    const features = defaultFeatures(t, 'age');
    for (const id of ['first_name', 'last_name', 'address']) {
      expect(features).not.toContain(id);
      const c = t.columns.find((x) => x.name === id)!;
      expect(notDefaultFeature(columnStats(c), t.rows)).toMatch(/distinct values in 63 rows, read as an identifier$/);
    }
    for (const kept of ['gender', 'race', 'neighborhood', 'type', 'longitude', 'latitude', 'death_date'])
      expect(features).toContain(kept);
    expect(featuresFromStats(tableStats(t), t.rows, 'age')).toEqual(features);
  });

  it('a categorical is an identifier when at least 20 values and nine in ten present values are distinct (seeded)', () => {
    const rng = new Rng(23);
    const seen = { id: 0, kept: 0, missing: 0 };
    for (let trial = 0; trial < 300; trial++) {
      const rows = 4 + rng.int(150);
      // A pool much larger than the rows makes nearly every value distinct (an id); one near the rows, a category.
      const pool = rng.int(3) === 0 ? rows * 50 : 1 + rng.int(rows);
      const nullShare = rng.int(3) === 0 ? rng.next() * 0.6 : 0;
      const lines = ['c,x,label'];
      const cells: (string | null)[] = [];
      for (let i = 0; i < rows; i++) {
        const cell = rng.next() < nullShare ? null : `v${rng.int(pool)}`;
        cells.push(cell);
        lines.push(`${cell ?? ''},${i % 5},${i % 2 ? 'yes' : 'no'}`);
      }
      const t = readTable(new TextEncoder().encode(lines.join('\n')), 'small.csv');
      const present = cells.filter((c) => c !== null);
      const distinct = new Set(present).size;
      const nulls = rows - present.length;
      // Straight from the rule's words, on the values written (not the reader's statistics).
      const id = (distinct > rows / 2 && distinct > 64) || (distinct >= 20 && distinct >= 0.9 * present.length);
      const kept = distinct > 0 && nulls <= rows / 2 && !id;
      const where = JSON.stringify({ rows, distinct, nulls });
      if (t.columns[0].kind !== 'categorical') continue; // all missing: not a categorical column
      seen[id ? 'id' : kept ? 'kept' : 'missing']++;
      expect(defaultFeatures(t, 'label').includes('c'), where).toBe(kept);
      expect(featuresFromStats(tableStats(t), t.rows, 'label'), where).toEqual(defaultFeatures(t, 'label'));
    }
    // Every outcome met often, small tables with ids among them.
    expect(seen.id).toBeGreaterThan(40);
    expect(seen.kept).toBeGreaterThan(40);
    expect(seen.missing).toBeGreaterThan(5);
  });
});
