import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { denseRows, encodeTable, HASH_BUCKETS, ONE_HOT_LIMIT } from './encode';
import { encodeRow, inputWidth } from './preprocessing';
import { readTable } from './read';
import { Rng } from './rng';
import { StreamEncoder } from './stream-encoder';

// The preprocessing a run writes out must turn raw rows into exactly the features the run
// trained on. The raw rows here come from a second CSV reader (papaparse) over the same text,
// so the check covers the path a user elsewhere takes: their own reader, then encodeRow.

function csv(rows: number, seed: number): string {
  const rng = new Rng(seed);
  const users = Array.from({ length: ONE_HOT_LIMIT * 3 }, (_, i) => `u${i}x`);
  const lines = ['size,colour,user,price,species'];
  for (let i = 0; i < rows; i++) {
    const size = rng.next() < 0.1 ? '' : (5 + 3 * rng.normal()).toFixed(3);
    const colour = rng.next() < 0.1 ? '' : ['red', 'green', 'blue'][rng.int(3)];
    const price = (100 + 20 * rng.normal()).toFixed(2);
    lines.push(`${size},${colour},${users[rng.int(users.length)]},${price},${['a', 'b', 'c'][rng.int(3)]}`);
  }
  return lines.join('\n');
}

/** The rows as papaparse reads them: numbers typed, empty cells null. */
function rawRows(text: string): Record<string, unknown>[] {
  const parsed = Papa.parse<Record<string, unknown>>(text, { header: true, dynamicTyping: true, skipEmptyLines: true });
  return parsed.data.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v])));
}

const split = { train: 0.7, val: 0.15, test: 0.15, seed: 3 };
const features = { label: 'species', features: ['size', 'colour', 'user', 'price'] };

describe('preprocessing', () => {
  const text = csv(600, 4);
  const table = readTable(new TextEncoder().encode(text), 'p.csv');
  const raw = rawRows(text);

  it('reproduces the loaded-dataset encoding row by row (scaled, one-hot with missing values, hashed)', () => {
    const enc = encodeTable(table, features, split);
    expect(enc.inputs.map((f) => f.kind)).toEqual(['scale', 'onehot', 'scale', 'hash']);
    expect(enc.inputs.reduce((d, f) => d + inputWidth(f), 0)).toBe(enc.dim);
    expect(enc.inputs[3]).toEqual({ column: 'user', kind: 'hash', buckets: HASH_BUCKETS });
    const all = Int32Array.from({ length: enc.rows }, (_, i) => i);
    const want = denseRows(enc, all);
    const pre = { inputs: enc.inputs, dim: enc.dim } as Parameters<typeof encodeRow>[0];
    let checked = 0;
    for (let r = 0; r < enc.rows; r++) {
      const got = encodeRow(pre, raw[enc.sourceRows[r]]);
      const row = want.subarray(r * enc.dim, (r + 1) * enc.dim);
      for (let j = 0; j < enc.dim; j++) expect(Math.abs(got[j] - row[j])).toBeLessThan(1e-6);
      checked++;
    }
    expect(checked).toBe(600);
  });

  it('reproduces the streaming encoding (layout from the first chunk, hashed columns in place)', () => {
    const enc = new StreamEncoder(table, features, split);
    const chunk = enc.encode(table);
    const pre = { inputs: enc.inputs, dim: enc.dim } as Parameters<typeof encodeRow>[0];
    expect(enc.inputs.map((f) => f.kind)).toEqual(['scale', 'onehot', 'hash', 'scale']);
    for (let r = 0; r < chunk.rows; r++) {
      const got = encodeRow(pre, raw[r]);
      for (let j = 0; j < enc.dim; j++) expect(Math.abs(got[j] - chunk.x[r * enc.dim + j])).toBeLessThan(1e-6);
    }
  });

  it('encodes an unseen category as zeros and an absent column as missing', () => {
    const enc = encodeTable(table, features, split);
    const pre = { inputs: enc.inputs, dim: enc.dim } as Parameters<typeof encodeRow>[0];
    const got = encodeRow(pre, { size: 5, colour: 'purple' });
    const colourAt = 1;
    const width = inputWidth(enc.inputs[1]);
    expect(Array.from(got.subarray(colourAt, colourAt + width))).toEqual(new Array(width).fill(0));
    // price missing: 0 (its mean); user missing: no bucket set.
    expect(got[colourAt + width]).toBe(0);
    expect(got.subarray(colourAt + width + 1).every((v) => v === 0)).toBe(true);
  });
});
