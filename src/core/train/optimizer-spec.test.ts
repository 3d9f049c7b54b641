import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors';
import { OPTIMIZER_NAMES, validateOptimizerSpec } from './optimizer-spec';

function errorOf(spec: unknown): ConfigError {
  try {
    validateOptimizerSpec(spec);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('validateOptimizerSpec defaults', () => {
  it("writes out the papers' and frameworks' defaults", () => {
    expect(validateOptimizerSpec({ name: 'adam', learningRate: 1e-3 })).toEqual({
      name: 'adam',
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      lookahead: null,
      schedule: { type: 'constant', warmupSteps: 0 },
      clipNorm: null,
    });
    expect(validateOptimizerSpec({ name: 'adamw', learningRate: 1e-3 })).toMatchObject({
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.01,
    });
    expect(validateOptimizerSpec({ name: 'lion', learningRate: 1e-4 })).toMatchObject({
      beta1: 0.9,
      beta2: 0.99,
      weightDecay: 0,
    });
    expect(validateOptimizerSpec({ name: 'momentum', learningRate: 0.1 })).toMatchObject({
      momentum: 0.9,
      weightDecay: 0,
    });
    expect(validateOptimizerSpec({ name: 'nesterov', learningRate: 0.1 })).toMatchObject({ momentum: 0.9 });
    expect(validateOptimizerSpec({ name: 'rmsprop', learningRate: 0.1 })).toMatchObject({ rho: 0.9, epsilon: 1e-8 });
    expect(validateOptimizerSpec({ name: 'sgd', learningRate: 0.1 })).toEqual({
      name: 'sgd',
      learningRate: 0.1,
      weightDecay: 0,
      lookahead: null,
      schedule: { type: 'constant', warmupSteps: 0 },
      clipNorm: null,
    });
  });

  it('fills schedule defaults and keeps valid values', () => {
    const s = validateOptimizerSpec({
      name: 'sgd',
      learningRate: 0.5,
      lookahead: { k: 5, alpha: 0.5 },
      clipNorm: 1,
      schedule: { type: 'step', stepSize: 10 },
    });
    expect(s.schedule).toEqual({ type: 'step', warmupSteps: 0, stepSize: 10, gamma: 0.1 });
    expect(s.lookahead).toEqual({ k: 5, alpha: 0.5 });
    expect(s.clipNorm).toBe(1);
    expect(
      validateOptimizerSpec({
        name: 'sgd',
        learningRate: 1,
        schedule: { type: 'cosine', totalSteps: 100, warmupSteps: 10 },
      }).schedule,
    ).toEqual({ type: 'cosine', warmupSteps: 10, totalSteps: 100, minLearningRate: 0 });
  });

  it('accepts every known optimizer', () => {
    for (const name of OPTIMIZER_NAMES) expect(validateOptimizerSpec({ name, learningRate: 0.01 }).name).toBe(name);
  });
});

describe('validateOptimizerSpec refusals', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 42, "optimizer: must be an object like { name: 'adam', learningRate: 0.001 }, got 42"],
    ['null', null, "optimizer: must be an object like { name: 'adam', learningRate: 0.001 }, got null"],
    [
      'unknown optimizer',
      { name: 'adamax', learningRate: 0.1 },
      'optimizer.name: unknown optimizer "adamax"; known: sgd, momentum, nesterov, rmsprop, adam, adamw, lion',
    ],
    [
      'missing name',
      { learningRate: 0.1 },
      'optimizer.name: is missing; known: sgd, momentum, nesterov, rmsprop, adam, adamw, lion',
    ],
    ['missing learning rate', { name: 'sgd' }, 'optimizer.learningRate: is required'],
    [
      'negative learning rate',
      { name: 'sgd', learningRate: -0.1 },
      'optimizer.learningRate: must be a finite number >= 0, got -0.1',
    ],
    [
      'NaN learning rate',
      { name: 'sgd', learningRate: NaN },
      'optimizer.learningRate: must be a finite number >= 0, got NaN',
    ],
    [
      'infinite learning rate',
      { name: 'sgd', learningRate: Infinity },
      'optimizer.learningRate: must be a finite number >= 0, got Infinity',
    ],
    [
      'string learning rate',
      { name: 'sgd', learningRate: '0.1' },
      'optimizer.learningRate: must be a finite number >= 0, got "0.1"',
    ],
    [
      'unknown field',
      { name: 'sgd', learningRate: 0.1, lr: 0.1 },
      'optimizer.lr: unknown field; did you mean "learningRate"?; known fields: name, learningRate, momentum, beta1, beta2, epsilon, rho, ' +
        'weightDecay, lookahead, schedule, clipNorm',
    ],
    ['beta1 = 1', { name: 'adam', learningRate: 0.1, beta1: 1 }, 'optimizer.beta1: must be a number in [0, 1), got 1'],
    [
      'negative beta2',
      { name: 'adam', learningRate: 0.1, beta2: -0.5 },
      'optimizer.beta2: must be a number in [0, 1), got -0.5',
    ],
    [
      'momentum 1.5',
      { name: 'momentum', learningRate: 0.1, momentum: 1.5 },
      'optimizer.momentum: must be a number in [0, 1), got 1.5',
    ],
    ['rho 1', { name: 'rmsprop', learningRate: 0.1, rho: 1 }, 'optimizer.rho: must be a number in [0, 1), got 1'],
    [
      'epsilon 0',
      { name: 'adam', learningRate: 0.1, epsilon: 0 },
      'optimizer.epsilon: must be a finite number > 0, got 0',
    ],
    [
      'negative weight decay',
      { name: 'adamw', learningRate: 0.1, weightDecay: -1 },
      'optimizer.weightDecay: must be a finite number >= 0, got -1',
    ],
    [
      'field of another optimizer',
      { name: 'adam', learningRate: 0.1, momentum: 0.9 },
      'optimizer.momentum: does not apply to adam (it applies to momentum, nesterov)',
    ],
    [
      'beta for sgd',
      { name: 'sgd', learningRate: 0.1, beta1: 0.9 },
      'optimizer.beta1: does not apply to sgd (it applies to adam, adamw, lion)',
    ],
    [
      'lookahead k 0',
      { name: 'sgd', learningRate: 0.1, lookahead: { k: 0, alpha: 0.5 } },
      'optimizer.lookahead.k: must be an integer >= 1, got 0',
    ],
    [
      'lookahead k 2.5',
      { name: 'sgd', learningRate: 0.1, lookahead: { k: 2.5, alpha: 0.5 } },
      'optimizer.lookahead.k: must be an integer >= 1, got 2.5',
    ],
    [
      'lookahead alpha 0',
      { name: 'sgd', learningRate: 0.1, lookahead: { k: 5, alpha: 0 } },
      'optimizer.lookahead.alpha: must be a number in (0, 1], got 0',
    ],
    [
      'lookahead alpha 1.2',
      { name: 'sgd', learningRate: 0.1, lookahead: { k: 5, alpha: 1.2 } },
      'optimizer.lookahead.alpha: must be a number in (0, 1], got 1.2',
    ],
    [
      'lookahead not an object',
      { name: 'sgd', learningRate: 0.1, lookahead: 5 },
      'optimizer.lookahead: must be null or an object like { k: 5, alpha: 0.5 }, got 5',
    ],
    [
      'clipNorm 0',
      { name: 'sgd', learningRate: 0.1, clipNorm: 0 },
      'optimizer.clipNorm: must be a finite number > 0, got 0',
    ],
    [
      'unknown schedule',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'linear' } },
      'optimizer.schedule.type: unknown schedule "linear"; known: constant, step, cosine',
    ],
    [
      'step without stepSize',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'step' } },
      'optimizer.schedule.stepSize: is required for the step schedule',
    ],
    [
      'step gamma 0',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'step', stepSize: 5, gamma: 0 } },
      'optimizer.schedule.gamma: must be a number in (0, 1], got 0',
    ],
    [
      'cosine without totalSteps',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'cosine' } },
      'optimizer.schedule.totalSteps: is required for the cosine schedule',
    ],
    [
      'cosine total <= warm-up',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'cosine', totalSteps: 10, warmupSteps: 10 } },
      'optimizer.schedule.totalSteps: must be greater than warmupSteps (10), got 10',
    ],
    [
      'min rate above rate',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'cosine', totalSteps: 10, minLearningRate: 0.2 } },
      'optimizer.schedule.minLearningRate: must be a number in [0, 0.1], got 0.2',
    ],
    [
      'negative warm-up',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'constant', warmupSteps: -1 } },
      'optimizer.schedule.warmupSteps: must be an integer >= 0, got -1',
    ],
    [
      'field of another schedule',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'constant', gamma: 0.5 } },
      'optimizer.schedule.gamma: does not apply to the constant schedule (it takes type, warmupSteps)',
    ],
    [
      "PyTorch's weight_decay, written as its words",
      { name: 'adamw', learningRate: 0.1, weight_decay: 0.1 },
      'optimizer.weight_decay: unknown field; did you mean "weightDecay"?; known fields: name, learningRate, momentum, ' +
        'beta1, beta2, epsilon, rho, weightDecay, lookahead, schedule, clipNorm',
    ],
    [
      'a field like no other',
      { name: 'sgd', learningRate: 0.1, zzz: 1 },
      'optimizer.zzz: unknown field; known fields: name, learningRate, momentum, beta1, beta2, epsilon, rho, ' +
        'weightDecay, lookahead, schedule, clipNorm',
    ],
    [
      'unknown schedule field',
      { name: 'sgd', learningRate: 0.1, schedule: { type: 'constant', warmup: 3 } },
      'optimizer.schedule.warmup: unknown field; did you mean "warmupSteps"?; known fields: type, warmupSteps, stepSize, gamma, ' +
        'totalSteps, minLearningRate',
    ],
  ];
  it.each(cases)('refuses %s', (_label, spec, message) => {
    const e = errorOf(spec);
    expect(e.message).toBe(message);
    expect(e.name).toBe('ConfigError');
    expect(e).toBeInstanceOf(Error);
    expect(message.startsWith(e.field)).toBe(true);
  });
});
