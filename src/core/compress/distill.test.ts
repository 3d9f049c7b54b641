/**
 * The distillation loss against its definition: the float64 form's gradient against central
 * finite differences of its loss; the tfjs form (what an engine differentiates) against the
 * float64 loss and gradient; the limits (a = 1 is the labels' cross-entropy, a student equal to
 * its teacher has no soft loss); refusals naming the field.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { ConfigError } from '../errors';
import type { LossKind } from '../train/loss';
import {
  checkTeacher,
  checkTeacherClasses,
  distillLoss,
  distillLossF64,
  validateDistill,
  validateDistillWeights,
} from './distill';
import type { RunConfig } from '../train/record';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases: [string, LossKind, number][] = [
  ['softmax, 4 classes', 'softmax-ce', 4],
  ['binary, one logit', 'binary-ce', 1],
];

function data(kind: LossKind, C: number, rows: number, seed: number) {
  const rng = new Rng(seed);
  const s = Float64Array.from({ length: rows * C }, () => 2 * rng.normal());
  const t = Float64Array.from({ length: rows * C }, () => 3 * rng.normal());
  const y = Float64Array.from({ length: rows }, () => rng.int(kind === 'binary-ce' ? 2 : C));
  return { s, t, y };
}

describe.each(cases)('distillation loss, %s', (_, kind, C) => {
  const rows = 5;
  for (const w of [
    { temperature: 1, alpha: 0.5 },
    { temperature: 4, alpha: 0.1 },
    { temperature: 0.5, alpha: 0.9 },
  ]) {
    it(`T ${w.temperature}, a ${w.alpha}: the gradient equals finite differences of the loss (float64)`, () => {
      const { s, t, y } = data(kind, C, rows, 3);
      const { grad } = distillLossF64(kind, s, t, y, C, w);
      const h = 1e-6;
      for (let i = 0; i < s.length; i++) {
        const up = Float64Array.from(s);
        const down = Float64Array.from(s);
        up[i] += h;
        down[i] -= h;
        const fd = (distillLossF64(kind, up, t, y, C, w).loss - distillLossF64(kind, down, t, y, C, w).loss) / (2 * h);
        expect(grad[i]).toBeCloseTo(fd, 7);
      }
    });

    it(`T ${w.temperature}, a ${w.alpha}: the tfjs form gives the float64 loss and gradient (float32)`, async () => {
      const { s, t, y } = data(kind, C, rows, 5);
      const ref = distillLossF64(kind, s, t, y, C, w);
      const st = tf.tensor2d(Float32Array.from(s), [rows, C]);
      const tt = tf.tensor2d(Float32Array.from(t), [rows, C]);
      const yt = tf.tensor1d(Float32Array.from(y));
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => distillLoss(kind, x as tf.Tensor2D, tt, yt, w))(st);
      expect((await value.data())[0]).toBeCloseTo(ref.loss, 5);
      const g = await grad.data();
      ref.grad.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));
      tf.dispose([st, tt, yt, value, grad]);
    });
  }

  it('a = 1 is the cross-entropy with the labels; a student equal to its teacher has no soft loss', () => {
    const { s, t, y } = data(kind, C, rows, 9);
    const hardOnly = distillLossF64(kind, s, t, y, C, { temperature: 3, alpha: 1 }).loss;
    let ce = 0;
    for (let r = 0; r < rows; r++) {
      const z = kind === 'binary-ce' ? [s[r], 0] : Array.from(s.subarray(r * C, (r + 1) * C));
      const label = kind === 'binary-ce' ? 1 - y[r] : y[r];
      const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
      ce += lse - z[label];
    }
    expect(hardOnly).toBeCloseTo(ce / rows, 12);
    expect(distillLossF64(kind, s, s, y, C, { temperature: 2, alpha: 0 }).loss).toBeCloseTo(0, 12);
  });
});

describe('refusals', () => {
  it.each([
    [{ temperature: 0, alpha: 0.5 }, 'distill.temperature'],
    [{ temperature: -1, alpha: 0.5 }, 'distill.temperature'],
    [{ temperature: NaN, alpha: 0.5 }, 'distill.temperature'],
    [{ temperature: 2, alpha: 1.5 }, 'distill.alpha'],
    [{ temperature: 2, alpha: -0.1 }, 'distill.alpha'],
  ])('%j -> %s', (w, field) => {
    expect(() => validateDistillWeights(w)).toThrow(ConfigError);
    try {
      validateDistillWeights(w);
    } catch (e) {
      expect((e as ConfigError).field).toBe(field);
    }
  });

  it('regression has nothing to distil', () => {
    const z = tf.zeros([2, 1]) as tf.Tensor2D;
    expect(() => distillLoss('mse', z, z, tf.zeros([2]) as tf.Tensor1D, { temperature: 2, alpha: 0.5 })).toThrow(
      /needs a classification run/,
    );
  });

  const fieldOf = (f: () => void) => {
    try {
      f();
    } catch (e) {
      return e instanceof ConfigError ? e.field : `not a ConfigError: ${String(e)}`;
    }
    return 'accepted';
  };

  it.each([
    [null, 'distill'],
    [{ teacher: '', temperature: 2, alpha: 0.5 }, 'distill.teacher'],
    [{ teacher: 7, temperature: 2, alpha: 0.5 }, 'distill.teacher'],
    [{ teacher: 'x'.repeat(5000), temperature: 2, alpha: 0.5 }, 'distill.teacher'],
    [{ teacher: 'run-1', temperature: 200, alpha: 0.5 }, 'distill.temperature'],
    [[], 'distill'],
    // A key the distillation would not read is refused, not dropped (the run would use the default).
    [{ teacher: 'run-1', temperature: 2, alpha: 0.5, temprature: 4 }, 'distill.temprature'],
    [{ teacher: 'run-1', temperature: 2, alpha: 0.5, hasOwnProperty: 1 }, 'distill.hasOwnProperty'],
    [{ teacher: 'run-1', temperature: 2, alpha: 0.5 }, 'accepted'],
  ])('the setting %j -> %s', (d, field) => {
    expect(fieldOf(() => validateDistill(d as never))).toBe(field);
  });

  const data: RunConfig['data'] = {
    fingerprint: 'abc',
    name: 'mnist.arrow',
    rows: 100,
    label: 'digit',
    features: ['p0'],
    dedup: 'none',
    split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
  };
  const teacher = { name: 'big run', config: { data }, classes: ['a', 'b'], task: 'classification' as const };

  it('a teacher of another dataset, label or task is refused; the same one is taken', () => {
    expect(fieldOf(() => checkTeacher(teacher, { data }))).toBe('accepted');
    expect(() => checkTeacher(teacher, { data: { ...data, fingerprint: 'def', name: 'other.csv' } })).toThrow(
      /big run was trained on mnist\.arrow \(100 rows\), this run uses other\.csv/,
    );
    expect(() => checkTeacher(teacher, { data: { ...data, label: 'parity' } })).toThrow(
      /predicts "digit", this run predicts "parity"/,
    );
    expect(() => checkTeacher({ ...teacher, task: 'regression', classes: null }, { data })).toThrow(
      /is a regression run/,
    );
    // A student asking for regression of the label the teacher classified.
    expect(() => checkTeacher(teacher, { data: { ...data, task: 'regression' } })).toThrow(
      /^distill\.teacher: this run asks for regression \(data\.task\); distillation trains a classifier/,
    );
  });

  it('the class lists must match in order', () => {
    expect(fieldOf(() => checkTeacherClasses('t', ['a', 'b'], ['a', 'b']))).toBe('accepted');
    expect(fieldOf(() => checkTeacherClasses('t', ['a', 'b'], ['b', 'a']))).toBe('distill.teacher');
    expect(fieldOf(() => checkTeacherClasses('t', ['a', 'b'], ['a', 'b', 'c']))).toBe('distill.teacher');
    // A student whose numeric label was read as a quantity (auto) has no classes to match.
    expect(() => checkTeacherClasses('t', ['0', '1'], null)).toThrow(
      /this run is a regression .*\(set data\.task to classification/,
    );
  });
});
