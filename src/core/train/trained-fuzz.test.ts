/**
 * Seeded fuzz test of the run-record reader that exports trust (readTrainedRecord): records
 * with their fields deleted, retyped, resized or renamed at random, and record texts with bytes
 * flipped. Each case is either refused with a DataError or ConfigError whose text is ours (no
 * V8 or library text), or accepted with tensors that match the shapes the spec implies, finite
 * values, and an ONNX file that can be written from them. TRAINBENCH_TRAINED_FUZZ_CASES sets the
 * number of cases (default 1500).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { INTERNAL_TEXT } from '../data/fuzz/cases';
import { DataError } from '../data/table';
import { Rng } from '../data/rng';
import type { Preprocessing } from '../data/preprocessing';
import { toOnnx } from '../export/onnx';
import { parameterShapes } from './models/shapes';
import type { ModelSpec } from './models/types';
import { packTrained, readTrainedRecord } from './trained';

const CASES = Number(process.env.TRAINBENCH_TRAINED_FUZZ_CASES ?? 1500);

function validRecord(rng: Rng, kind: number): Record<string, unknown> {
  const pre: Preprocessing = {
    label: 'y',
    task: 'classification',
    classes: ['a', 'b', 'c'],
    target: null,
    output: 'softmax-logits',
    inputs: [
      { column: 'n', kind: 'scale', mean: 1, std: 2 },
      { column: 'c', kind: 'onehot', values: ['x', 'y', 'z'] },
    ],
    dim: 4,
    featureNames: ['n', 'c=x', 'c=y', 'c=z'],
  };
  let model: ModelSpec = { type: 'mlp', hidden: [3], activation: 'relu' };
  if (kind === 1) {
    pre.inputs = [{ column: 'p', kind: 'hash', buckets: 16 }];
    pre.dim = 16;
    pre.featureNames = Array.from({ length: 16 }, (_, i) => `p#${i}`);
    model = { type: 'cnn', inputShape: [4, 4, 1], filters: [2], groups: [1], hidden: [], activation: 'tanh' };
  }
  const params = parameterShapes(model, pre.dim, 3).map((s) =>
    Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
  );
  return JSON.parse(
    JSON.stringify({
      version: 1,
      id: 'r',
      config: { model, seed: 3, batchSize: 8, epochs: 2, optimizer: { name: 'adam', learningRate: 0.01 } },
      trained: packTrained(model, pre, params),
    }),
  ) as Record<string, unknown>;
}

const ODD: unknown[] = [null, 0, -1, 1e9, 2.5, NaN, '', 'x', [], {}, true, [1, 2], { a: 1 }, '__proto__', -0];

/** Every path to a value inside `v`. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function mutate(rec: Record<string, unknown>, rng: Rng): unknown {
  const all = paths(rec).filter((p) => p.length > 0);
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const p = all[rng.int(all.length)];
    let parent: unknown = rec;
    for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)?.[k];
    if (!parent || typeof parent !== 'object') continue;
    const o = parent as Record<string | number, unknown>;
    const key = p[p.length - 1];
    const r = rng.int(5);
    if (r === 0) delete o[key];
    else if (r === 1) o[key] = ODD[rng.int(ODD.length)];
    else if (r === 2 && typeof o[key] === 'string') {
      const s = o[key] as string;
      o[key] = rng.next() < 0.5 ? s.slice(0, rng.int(s.length + 1)) : s + s.slice(0, rng.int(9));
    } else if (r === 3 && typeof o[key] === 'number') o[key] = (o[key] as number) + (rng.int(5) - 2);
    else if (r === 4 && Array.isArray(o[key])) {
      const a = o[key] as unknown[];
      if (rng.next() < 0.5) a.pop();
      else a.push(a[rng.int(Math.max(1, a.length))]);
    }
  }
  return rec;
}

function flipBytes(rec: Record<string, unknown>, rng: Rng): unknown {
  const text = JSON.stringify(rec).split('');
  for (let n = 1 + rng.int(4); n > 0; n--) text[rng.int(text.length)] = String.fromCharCode(32 + rng.int(95));
  try {
    return JSON.parse(text.join(''));
  } catch {
    return null;
  }
}

describe('readTrainedRecord under fuzzing', () => {
  it(`refuses or accepts ${CASES} damaged records cleanly (seed 5)`, () => {
    const rng = new Rng(5);
    const outcomes = { refused: 0, accepted: 0, skipped: 0 };
    for (let i = 0; i < CASES; i++) {
      const base = validRecord(rng, i % 2);
      // Through JSON text, as a record arrives from a file (a deleted array entry becomes null).
      const rec = i % 3 === 0 ? flipBytes(base, rng) : (JSON.parse(JSON.stringify(mutate(base, rng))) as unknown);
      if (rec === null) {
        outcomes.skipped++;
        continue;
      }
      try {
        const { trained } = readTrainedRecord(rec);
        const shapes = parameterShapes(trained.model, trained.preprocessing.dim, trained.outputs);
        expect(trained.tensors.map((t) => t.shape)).toEqual(shapes.map((s) => s.shape));
        for (const t of trained.tensors) {
          expect(t.values.length).toBe(t.shape.reduce((a, b) => a * b, 1));
          expect(t.values.every(Number.isFinite)).toBe(true);
        }
        expect(toOnnx(trained).length).toBeGreaterThan(0);
        outcomes.accepted++;
      } catch (e) {
        if (!(e instanceof DataError || e instanceof ConfigError)) throw new Error(`case ${i}: ${String(e)}`);
        expect(e.message, `case ${i}`).not.toMatch(INTERNAL_TEXT);
        outcomes.refused++;
      }
    }
    // Both outcomes occur: the mutations reach the checks and leave some records whole.
    expect(outcomes.refused).toBeGreaterThan(CASES / 4);
    expect(outcomes.accepted).toBeGreaterThan(CASES / 50);
  });
});
