import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { validateOptimizerSpec, type OptimizerSpec } from '../optimizer-spec';
import {
  makeVariables,
  maxRelError,
  readVariables,
  runReference,
  runTfOnGradients,
  tfLoss,
} from '../reference/harness';
import { makeProblem } from '../reference/problem';
import { createOptimizer } from '.';

/** Steps per comparison run, and the relative tolerance the issue asks for. */
const STEPS = 100;
const TOL = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BASE: Record<string, OptimizerSpec> = {
  sgd: { name: 'sgd', learningRate: 0.1 },
  'sgd + L2': { name: 'sgd', learningRate: 0.1, weightDecay: 0.05 },
  momentum: { name: 'momentum', learningRate: 0.05 },
  'momentum + L2': { name: 'momentum', learningRate: 0.05, momentum: 0.8, weightDecay: 0.02 },
  nesterov: { name: 'nesterov', learningRate: 0.05 },
  rmsprop: { name: 'rmsprop', learningRate: 0.01 },
  'rmsprop rho 0.99': { name: 'rmsprop', learningRate: 0.005, rho: 0.99, weightDecay: 0.01 },
  adam: { name: 'adam', learningRate: 0.02 },
  'adam + L2': { name: 'adam', learningRate: 0.02, weightDecay: 0.1 },
  adamw: { name: 'adamw', learningRate: 0.02, weightDecay: 0.1 },
  lion: { name: 'lion', learningRate: 0.02, weightDecay: 0.1 },
};

const WITH_EXTRAS: Record<string, OptimizerSpec> = {
  ...BASE,
  ...Object.fromEntries(
    Object.entries(BASE).map(([k, s]) => [`${k} + lookahead(5, 0.5)`, { ...s, lookahead: { k: 5, alpha: 0.5 } }]),
  ),
  'lion + lookahead(3, 0.8)': { ...BASE.lion, lookahead: { k: 3, alpha: 0.8 } },
  'sgd + step schedule + warm-up': {
    ...BASE.sgd,
    schedule: { type: 'step', stepSize: 20, gamma: 0.5, warmupSteps: 10 },
  },
  'adam + cosine + warm-up + clip': {
    ...BASE.adam,
    learningRate: 0.05,
    schedule: { type: 'cosine', warmupSteps: 10, totalSteps: 80, minLearningRate: 0.001 },
    clipNorm: 0.5,
  },
  'adamw + cosine + lookahead + clip': {
    ...BASE.adamw,
    schedule: { type: 'cosine', totalSteps: 100 },
    lookahead: { k: 4, alpha: 0.6 },
    clipNorm: 0.3,
  },
  'nesterov + clip': { ...BASE.nesterov, clipNorm: 0.2 },
  'lion + cosine + clip': {
    ...BASE.lion,
    schedule: { type: 'cosine', warmupSteps: 5, totalSteps: 100 },
    clipNorm: 0.1,
  },
};

describe(
  `tfjs optimizers match the float64 reference after ${STEPS} steps on identical ` + `gradients (${TOL} relative)`,
  () => {
    it.each(Object.entries(WITH_EXTRAS))('%s', async (_label, raw) => {
      const spec = validateOptimizerSpec(raw);
      const ref = runReference(spec, STEPS);
      const got = await runTfOnGradients(spec, ref.grads);
      expect(maxRelError(got.params, ref.params)).toBeLessThan(TOL);
      got.rates.forEach((r, i) => expect(Math.abs(r - ref.rates[i])).toBeLessThanOrEqual(1e-12 * ref.rates[i]));
      if (spec.clipNorm != null) {
        const norm = await got.optimizer.readGradNorm();
        expect(Math.abs((norm as number) - ref.ref.lastNorm)).toBeLessThan(1e-5 * ref.ref.lastNorm);
      } else {
        expect(await got.optimizer.readGradNorm()).toBeNull();
      }
      if (spec.name === 'lion') {
        // sign(c) flips somewhere (margin < 1), but never so close to 0 that float32 could flip it.
        expect(ref.ref.lionMargin).toBeLessThan(1);
        expect(ref.ref.lionMargin).toBeGreaterThan(1e-4);
      }
      got.optimizer.dispose();
    });
  },
);

describe(`closed loop: tfjs computes its own gradients with tf.variableGrads (${TOL} relative)`, () => {
  const closed = Object.entries(BASE).filter(([, s]) => s.name !== 'lion');
  it.each(closed)('%s', async (_label, raw) => {
    const spec = validateOptimizerSpec(raw);
    const pb = makeProblem();
    const ref = runReference(spec, STEPS, pb);
    const vars = makeVariables(pb);
    const { loss, dispose } = tfLoss(pb, vars);
    const opt = createOptimizer(spec);
    for (let i = 0; i < STEPS; i++) {
      const { value, grads } = tf.variableGrads(loss, vars);
      opt.applyGradients(
        vars,
        vars.map((v) => grads[v.name]),
      );
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(maxRelError(await readVariables(vars), ref.params)).toBeLessThan(TOL);
    opt.dispose();
    dispose();
    tf.dispose(vars);
  });
});

/** One variable [2] = (1, -2), the given gradient for `steps` steps; returns the values. */
async function constantGradientRun(spec: OptimizerSpec, grad: number[], steps: number): Promise<number[]> {
  const v = tf.variable(tf.tensor1d([1, -2]));
  const g = tf.tensor1d(grad);
  const opt = createOptimizer(spec);
  for (let i = 0; i < steps; i++) opt.applyGradients([v], [g]);
  const out = Array.from(await v.data());
  tf.dispose([v, g]);
  opt.dispose();
  return out;
}

describe('paper update rules, by hand', () => {
  it('Adam: the first step moves each parameter by lr * g / (|g| + eps)', async () => {
    const p = await constantGradientRun({ name: 'adam', learningRate: 0.1 }, [3, -0.5], 1);
    expect(p[0]).toBeCloseTo(1 - 0.1, 6);
    expect(p[1]).toBeCloseTo(-2 + 0.1, 6);
  });

  it('AdamW decays decoupled from the moments: with g = 0, p *= (1 - lr * wd) exactly', async () => {
    const p = await constantGradientRun({ name: 'adamw', learningRate: 0.1, weightDecay: 0.5 }, [0, 0], 3);
    expect(p[0]).toBeCloseTo(1 * 0.95 ** 3, 6);
    expect(p[1]).toBeCloseTo(-2 * 0.95 ** 3, 6);
    // Adam with the same weightDecay as L2 normalises the decay term instead: about lr per step.
    const q = await constantGradientRun({ name: 'adam', learningRate: 0.1, weightDecay: 0.5 }, [0, 0], 1);
    expect(q[0]).toBeCloseTo(0.9, 5);
    expect(q[1]).toBeCloseTo(-1.9, 5);
  });

  it('Lion: steps of exactly lr * sign, plus decoupled decay', async () => {
    const p = await constantGradientRun({ name: 'lion', learningRate: 0.01 }, [5, -1e-6], 4);
    expect(p[0]).toBeCloseTo(1 - 0.04, 6);
    expect(p[1]).toBeCloseTo(-2 + 0.04, 6);
    const q = await constantGradientRun({ name: 'lion', learningRate: 0.01, weightDecay: 1 }, [5, -1e-6], 1);
    expect(q[0]).toBeCloseTo(1 - 0.01 * (1 + 1), 6);
    expect(q[1]).toBeCloseTo(-2 - 0.01 * (-1 - 2), 6);
  });

  it('Lion: the sign uses the interpolation c = b1 m + (1 - b1) g, the state uses b2', async () => {
    // Step 1: g = +1 gives m = 0.01 (b2 = 0.99). Step 2: g = -0.05 gives c = 0.9 * 0.01 - 0.1 * 0.05 = +0.004 > 0,
    // so the parameter still moves down although the gradient now points the other way.
    const v = tf.variable(tf.tensor1d([0]));
    const opt = createOptimizer({ name: 'lion', learningRate: 0.1 });
    for (const gv of [1, -0.05]) {
      const g = tf.tensor1d([gv]);
      opt.applyGradients([v], [g]);
      g.dispose();
    }
    expect((await v.data())[0]).toBeCloseTo(-0.2, 6);
    tf.dispose(v);
    opt.dispose();
  });

  it('Nesterov and momentum differ as in PyTorch', async () => {
    const m = await constantGradientRun({ name: 'momentum', learningRate: 0.1, momentum: 0.5 }, [1, 1], 2);
    const n = await constantGradientRun({ name: 'nesterov', learningRate: 0.1, momentum: 0.5 }, [1, 1], 2);
    // momentum: v = 1, 1.5 -> p -= 0.1 + 0.15. nesterov: steps g + mu v = 1.5, 1.75 -> p -= 0.15 + 0.175.
    expect(m[0]).toBeCloseTo(1 - 0.25, 6);
    expect(n[0]).toBeCloseTo(1 - 0.325, 6);
  });

  it(
    'Lookahead: after k steps fast = slow = p0 + alpha * (fast_k - p0); alpha = 1 is the ' + 'inner optimizer',
    async () => {
      const spec: OptimizerSpec = { name: 'sgd', learningRate: 0.1, lookahead: { k: 4, alpha: 0.25 } };
      expect((await constantGradientRun(spec, [1, -1], 3))[0]).toBeCloseTo(1 - 0.3, 6);
      expect((await constantGradientRun(spec, [1, -1], 4))[0]).toBeCloseTo(1 - 0.25 * 0.4, 6);
      expect((await constantGradientRun(spec, [1, -1], 5))[0]).toBeCloseTo(1 - 0.1 - 0.1, 6);
      const one = await constantGradientRun({ ...spec, lookahead: { k: 4, alpha: 1 } }, [1, -1], 9);
      const none = await constantGradientRun({ ...spec, lookahead: null }, [1, -1], 9);
      expect(one[0]).toBeCloseTo(none[0], 6);
    },
  );

  it('getLearningRate follows the schedule; step counts updates', async () => {
    const v = tf.variable(tf.tensor1d([1]));
    const g = tf.tensor1d([1]);
    const opt = createOptimizer({ name: 'sgd', learningRate: 1, schedule: { type: 'constant', warmupSteps: 4 } });
    expect(opt.getLearningRate()).toBe(0.25);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      opt.applyGradients([v], [g]);
      seen.push(opt.getLearningRate());
    }
    expect(seen).toEqual([0.25, 0.5, 0.75, 1, 1]);
    expect(opt.step).toBe(5);
    expect((await v.data())[0]).toBeCloseTo(1 - 3.5, 6);
    tf.dispose([v, g]);
    opt.dispose();
  });
});

describe('createOptimizer and applyGradients refuse misuse', () => {
  it('validates the spec', () => {
    expect(() => createOptimizer({ name: 'sgd', learningRate: -1 })).toThrow(ConfigError);
    expect(() => createOptimizer({ name: 'adagrad' } as unknown as OptimizerSpec)).toThrow(
      /unknown optimizer "adagrad"/,
    );
  });

  it('checks counts, shapes, dtypes and disposal', () => {
    const v = tf.variable(tf.zeros([2, 3]));
    const bad = tf.zeros([3, 2]);
    const opt = createOptimizer({ name: 'adam', learningRate: 0.1 });
    expect(() => opt.applyGradients([v], [])).toThrow('applyGradients: 1 variables but 0 gradients');
    expect(() => opt.applyGradients([v], [bad])).toThrow(/gradient 0 has shape \[3, 2\], variable .* has \[2, 3\]/);
    const iv = tf.variable(tf.zeros([2], 'int32'));
    expect(() => opt.applyGradients([iv], [tf.zeros([2])])).toThrow(/is int32, expected float32/);
    opt.dispose();
    expect(() => opt.applyGradients([v], [tf.zeros([2, 3])])).toThrow('applyGradients: optimizer was disposed');
    tf.dispose([v, bad, iv]);
  });

  it('counts its state: Adam holds two slots per variable plus cached constants', () => {
    const vars = makeVariables();
    const g = vars.map((v) => tf.onesLike(v));
    const opt = createOptimizer({ name: 'adam', learningRate: 0.01, lookahead: { k: 2, alpha: 0.5 } });
    opt.applyGradients(vars, g);
    opt.applyGradients(vars, g);
    // 4 variables x (m, v, slow) + constants b1, 1-b1, b2, 1-b2, eps + lookahead alpha
    expect(opt.stateTensors()).toBe(4 * 3 + 5 + 1);
    opt.dispose();
    expect(opt.stateTensors()).toBe(0);
    tf.dispose([...vars, ...g]);
  });
});
