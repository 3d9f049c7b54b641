/**
 * What a label means: classes or a quantity. A numeric label of whole numbers with few values
 * (digits written as numbers, a 0/1 outcome) is classes unless the run says otherwise; the
 * classes are checked against what wrote the file (the mnist package's digits, float64 sets).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTable, labelTask, NUMERIC_CLASSES_MAX, resolveTask, WHOLE_CLASSES_MAX } from './encode';
import { readTable } from './read';
import { Rng } from './rng';
import { columnStats } from './stats';
import { StreamEncoder } from './stream-encoder';
import type { DataTable } from './table';

const split = { train: 0.8, val: 0.1, test: 0.1, seed: 3 };

/** MNIST digits as Kaggle's CSV has them (`label,pixel0..pixel783`, the label a number), from the mnist package's files. */
function mnistCsv(n: number): { bytes: Uint8Array; digits: number[] } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
  const raw = Array.from(
    { length: 10 },
    (_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data,
  );
  // Digits in a seeded order, each image its own (the k-th image of its digit).
  const rng = new Rng(7);
  const seen = new Array<number>(10).fill(0);
  const digits = Array.from({ length: n }, () => rng.int(10));
  const lines = ['label,' + Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')];
  for (const d of digits) {
    const k = seen[d]++;
    lines.push(`${d},${Array.from({ length: 784 }, (_, p) => Math.round(raw[d][k * 784 + p] * 255)).join(',')}`);
  }
  return { bytes: new TextEncoder().encode(lines.join('\n') + '\n'), digits };
}

/** One numeric label column `y` of the given values (null: missing) and one feature. */
function numeric(values: (number | null)[], type: 'int' | 'float' = 'float'): DataTable {
  return {
    name: 'numbers.parquet',
    format: 'parquet',
    rows: values.length,
    columns: [
      {
        kind: 'numeric',
        name: 'y',
        type,
        values: Float64Array.from(values, (v) => v ?? 0),
        valid: values.some((v) => v === null) ? Uint8Array.from(values, (v) => (v === null ? 0 : 1)) : null,
      },
      { kind: 'numeric', name: 'x', type: 'float', values: Float64Array.from(values, (_, i) => i % 7), valid: null },
    ],
  };
}

describe('the task of a label', () => {
  it("MNIST as a CSV of numbers trains as 10 classes, each row's class the digit the mnist package wrote", () => {
    const { bytes, digits } = mnistCsv(300);
    const table = readTable(bytes, 'mnist_train.csv');
    expect(table.columns[0]).toMatchObject({ name: 'label', type: 'int' });
    expect(labelTask(columnStats(table.columns[0]))).toEqual({
      task: 'classification',
      reason: '10 whole-number values',
    });
    const features = table.columns.slice(1).map((c) => c.name);
    const enc = encodeTable(table, { label: 'label', features }, split);
    expect(enc.task).toBe('classification');
    expect(enc.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (let r = 0; r < enc.rows; r++) expect(Number(enc.classes![enc.y[r]])).toBe(digits[enc.sourceRows[r]]);
    // Asked for, the same column is a regression on the standardised digit.
    const reg = encodeTable(table, { label: 'label', features, task: 'regression' }, split);
    expect(reg.task).toBe('regression');
    for (let r = 0; r < reg.rows; r += 17)
      expect(reg.y[r] * reg.target!.std + reg.target!.mean).toBeCloseTo(digits[reg.sourceRows[r]], 4);
  });

  it('a float column of whole numbers with missing values (0.0 / 1.0, as pandas writes one) is two classes', () => {
    const rng = new Rng(4);
    const values = Array.from({ length: 200 }, (_, i) => (i % 9 === 0 ? null : rng.next() < 0.4 ? 1 : 0));
    const enc = encodeTable(numeric(values), { label: 'y', features: ['x'] }, split);
    expect(enc.task).toBe('classification');
    expect(enc.classes).toEqual(['0', '1']);
    expect(enc.rows).toBe(values.filter((v) => v !== null).length);
    for (let r = 0; r < enc.rows; r++) expect(enc.y[r]).toBe(values[enc.sourceRows[r]]);
  });

  it(`up to ${WHOLE_CLASSES_MAX} whole values are classes, one more a quantity; fractions always a quantity`, () => {
    const cycle = (k: number, f = (i: number) => i) => Array.from({ length: 400 }, (_, i) => f(i % k));
    expect(encodeTable(numeric(cycle(WHOLE_CLASSES_MAX), 'int'), { label: 'y', features: ['x'] }, split).task).toBe(
      'classification',
    );
    expect(encodeTable(numeric(cycle(WHOLE_CLASSES_MAX + 1), 'int'), { label: 'y', features: ['x'] }, split).task).toBe(
      'regression',
    );
    const halves = numeric(cycle(3, (i) => i + 0.5));
    expect(encodeTable(halves, { label: 'y', features: ['x'] }, split).task).toBe('regression');
    // Asked for, fractions are classes too, in numeric (not text) order.
    const odd = numeric(cycle(3, (i) => [10, 2.5, -3][i]));
    const enc = encodeTable(odd, { label: 'y', features: ['x'], task: 'classification' }, split);
    expect(enc.classes).toEqual(['-3', '2.5', '10']);
    const values = (odd.columns[0] as { values: Float64Array }).values;
    for (let r = 0; r < enc.rows; r++) expect(Number(enc.classes![enc.y[r]])).toBe(values[enc.sourceRows[r]]);
    // 0 and -0 are one class.
    const zeros = encodeTable(numeric(cycle(4, (i) => [0, -0, 1, 1][i])), { label: 'y', features: ['x'] }, split);
    expect(zeros.classes).toEqual(['0', '1']);
  });

  it('refuses a task the label cannot have, naming data.task, the label and the file', () => {
    const cat: DataTable = {
      name: 'penguins.csv',
      format: 'csv',
      rows: 4,
      columns: [
        {
          kind: 'categorical',
          name: 'Species',
          type: 'categorical',
          dictionary: ['a', 'b'],
          codes: Int32Array.of(0, 1, 0, 1),
        },
        { kind: 'numeric', name: 'x', type: 'float', values: Float64Array.of(1, 2, 3, 4), valid: null },
      ],
    };
    expect(() => encodeTable(cat, { label: 'Species', features: ['x'], task: 'regression' }, split)).toThrow(
      'data.task: regression needs a numeric label; "Species" of penguins.csv is categorical',
    );
    const many = numeric(Array.from({ length: NUMERIC_CLASSES_MAX + 1 }, (_, i) => i));
    expect(() => encodeTable(many, { label: 'y', features: ['x'], task: 'classification' }, split)).toThrow(
      `data.task: "y" of numbers.parquet has ${NUMERIC_CLASSES_MAX + 1} distinct values, more than the ` +
        `${NUMERIC_CLASSES_MAX} classes a numeric label may have; train a regression`,
    );
    // A label with nothing to learn: one class, or one quantity in every row (missing rows aside).
    const one = numeric([2.5, null, 2.5, 2.5, null, 2.5]);
    expect(() => encodeTable(one, { label: 'y', features: ['x'] }, split)).toThrow(
      'numbers.parquet: label "y" holds one value (2.5) in every row; nothing to learn',
    );
    expect(() => encodeTable(one, { label: 'y', features: ['x'], task: 'classification' }, split)).toThrow(
      'numbers.parquet: label "y" has a single class ("2.5"); nothing to learn',
    );
    // Two values: a quantity to learn.
    expect(encodeTable(numeric([2.5, 2.5, 2.5, 3.5]), { label: 'y', features: ['x'] }, split).task).toBe('regression');
    // A date is a quantity unless asked.
    expect(resolveTask('f', 'day', { type: 'date', distinct: 3 }, undefined)).toBe('regression');
  });

  it('streaming: the first chunk decides; a class it did not have is dropped and counted', () => {
    const { bytes, digits } = mnistCsv(200);
    const table = readTable(bytes, 'mnist_train.csv');
    const features = table.columns.slice(1).map((c) => c.name);
    const enc = new StreamEncoder(table, { label: 'label', features }, split);
    expect(enc.task).toBe('classification');
    expect(enc.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const p = enc.encode(table);
    expect(p.rows).toBe(200);
    for (let r = 0; r < p.rows; r++) expect(Number(enc.classes![p.y[r]])).toBe(digits[r]);
    // A later chunk with a digit 12: that row is dropped and counted.
    const later: DataTable = {
      ...table,
      columns: table.columns.map((c, k) =>
        k === 0 && c.kind === 'numeric' ? { ...c, values: c.values.map((v, i) => (i === 3 ? 12 : v)) } : c,
      ),
    };
    const q = enc.encode(later);
    expect(q.droppedUnseenClass).toBe(1);
    expect(q.rows).toBe(199);
    // Asked for regression, the stream standardises the digit.
    expect(new StreamEncoder(table, { label: 'label', features, task: 'regression' }, split).task).toBe('regression');
  });
});
