import { describe, expect, it } from 'vitest';
import {
  STORED_LIMITS,
  decodeRun,
  downsampleSteps,
  encodeRun,
  overCap,
  readRun,
  storedSize,
  type EncodableRun,
  type RunLimits,
} from './run-codec';
import { LINK_LIMITS } from './link';
import { DecodeError } from './schema';
import { DEFAULT_SETTINGS, makeRunConfig } from '../train/run-config';
import type { StepRecord } from '../train/record';

const steps = (n: number): StepRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    step: i,
    epoch: Math.floor(i / 10),
    time: i * 0.01,
    loss: 1 / (i + 1),
    samplesPerSec: 1000 + i,
    dataWaitMs: 0.5,
    gpuMs: i % 2 ? null : 0.25,
    readbackMs: 0,
  }));

function run(n: number): EncodableRun {
  return {
    id: 'run-1',
    config: makeRunConfig(DEFAULT_SETTINGS, {
      fingerprint: 'abc',
      name: 'p.arrow',
      rows: 10,
      label: 'y',
      features: ['x'],
      dedup: 'exact',
      split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
    }),
    environment: {
      runtime: 'chrome 140',
      adapter: { vendor: 'google', architecture: 'swiftshader' },
      features: ['timestamp-query'],
      f16Path: 'none',
      backend: 'webgpu',
      fallbackReason: null,
    },
    status: 'done',
    steps: steps(n),
    epochs: [{ epoch: 0, trainLoss: 0.5, valLoss: 0.4, valAccuracy: 0.9 }],
    summary: { status: 'done', medianSamplesPerSec: 1234, timeToTargetLoss: 0.5, finalValMetric: 0.9 },
    error: null,
    info: '275 training rows',
  };
}
const meta = {
  title: 'MLP',
  colour: 3,
  createdAt: 1,
  finishedAt: 2,
  budgetSec: null,
  sweep: { id: 's', rung: 1, key: 'c2' },
};

describe('stored runs', () => {
  it('round-trips through JSON and structured clone unchanged', () => {
    const stored = encodeRun(run(50), meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    expect(decodeRun(structuredClone(stored))).toEqual(stored);
    expect(stored.steps).toEqual(run(50).steps);
    expect(stored.meta).toMatchObject({ ...meta, stepsTotal: 50, info: '275 training rows', error: null });
    expect(stored.config.data.dedup).toBe('exact');
  });

  it("keeps a regression's validation RMSE (in the label's units) and refuses a negative one", () => {
    const base = run(20);
    const regression: EncodableRun = {
      ...base,
      epochs: [{ epoch: 0, trainLoss: 0.5, valLoss: 0.25, valAccuracy: null, valRmse: 3.9885 }],
    };
    const stored = encodeRun(regression, meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))?.epochs).toEqual(regression.epochs);
    const bad = JSON.parse(JSON.stringify(stored)) as { epochs: { valRmse: number }[] };
    bad.epochs[0].valRmse = -1;
    expect(() => readRun(bad, STORED_LIMITS)).toThrow('epochs[0].valRmse: must be a finite number >= 0, got -1');
    // A record without it (classification, or written before it existed) reads as before.
    expect(decodeRun(JSON.parse(JSON.stringify(encodeRun(base, meta))))?.epochs[0]).not.toHaveProperty('valRmse');
  });

  it('keeps the task a run asked for and refuses another word', () => {
    const base = run(10);
    const asked: EncodableRun = {
      ...base,
      config: { ...base.config, data: { ...base.config.data, task: 'regression' } },
    };
    const stored = encodeRun(asked, meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))?.config.data.task).toBe('regression');
    const bad = JSON.parse(JSON.stringify(stored)) as { config: { data: { task: string } } };
    bad.config.data.task = 'ranking';
    expect(() => readRun(bad, STORED_LIMITS)).toThrow(
      'config.data.task: must be one of classification, regression, got "ranking"',
    );
  });

  it('keeps that a run trained streaming, and refuses anything but true there', () => {
    const base = run(10);
    const streamed: EncodableRun = { ...base, config: { ...base.config, data: { ...base.config.data, stream: true } } };
    const stored = encodeRun(streamed, meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))?.config.data.stream).toBe(true);
    // A run loaded whole has no such field, and reads back without it.
    expect(decodeRun(JSON.parse(JSON.stringify(encodeRun(base, meta))))?.config.data).not.toHaveProperty('stream');
    for (const value of [false, 'yes', 1]) {
      const bad = JSON.parse(JSON.stringify(stored)) as { config: { data: { stream: unknown } } };
      bad.config.data.stream = value;
      expect(() => readRun(bad, STORED_LIMITS)).toThrow(
        'config.data.stream: must be true (or left out: the file was loaded whole)',
      );
    }
  });

  it('keeps a pruned run: its pruning setting, sparsity and non-zero count; refuses a bad setting naming the field', () => {
    const base = run(20);
    const pruned: EncodableRun = {
      ...base,
      config: { ...base.config, pruning: { targetSparsity: 0.9, startStep: 10, endStep: 100, every: 5 } },
      summary: { ...base.summary!, sparsity: 0.9, nonZeroParameters: 321 },
    };
    const stored = encodeRun(pruned, meta);
    const back = decodeRun(JSON.parse(JSON.stringify(stored)));
    expect(back?.config.pruning).toEqual({ targetSparsity: 0.9, startStep: 10, endStep: 100, every: 5 });
    expect(back?.summary).toMatchObject({ sparsity: 0.9, nonZeroParameters: 321 });
    const bad = (pruning: object) =>
      JSON.parse(JSON.stringify({ ...stored, config: { ...stored.config, pruning } })) as unknown;
    expect(() => readRun(bad({ targetSparsity: 0.9, startStep: 50, endStep: 10, every: 5 }), STORED_LIMITS)).toThrow(
      /pruning\.endStep/,
    );
    expect(() => readRun(bad({ targetSparsity: 2, startStep: 0, endStep: 10, every: 5 }), STORED_LIMITS)).toThrow(
      /pruning\.targetSparsity/,
    );
    expect(() => readRun(bad({ targetSparsity: 0.5, startStep: 0, endStep: 10 }), STORED_LIMITS)).toThrow(/every/);
    // An invalid sparsity figure is left out, the run kept (as the other optional figures).
    const odd = JSON.parse(JSON.stringify({ ...stored, summary: { ...stored.summary, sparsity: 7 } })) as unknown;
    expect(decodeRun(odd)?.summary?.sparsity).toBeUndefined();
  });

  it("keeps a filtered run's filter; refuses one that does not parse, saying where", () => {
    const base = run(20);
    const where = `delay > 30 and "carrier name" in ('AA', 'O''Hare')`;
    const stored = encodeRun({ ...base, config: { ...base.config, data: { ...base.config.data, where } } }, meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))?.config.data.where).toBe(where);
    const bad = (w: unknown) =>
      JSON.parse(
        JSON.stringify({ ...stored, config: { ...stored.config, data: { ...stored.config.data, where: w } } }),
      ) as unknown;
    expect(() => readRun(bad('delay >'), STORED_LIMITS)).toThrow(/config\.data\.where: the filter ends early/);
    expect(() => readRun(bad(7), STORED_LIMITS)).toThrow(/config\.data\.where/);
    expect(() => readRun(bad('x > 1 or '.repeat(600) + 'x > 1'), STORED_LIMITS)).toThrow(/config\.data\.where/);
  });

  it('keeps a distilled run: its teacher, temperature and alpha; refuses a bad setting naming the field', () => {
    const base = run(20);
    const distill = { teacher: 'run-lx2-7', temperature: 4, alpha: 0.25 };
    const stored = encodeRun({ ...base, config: { ...base.config, distill } }, meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))?.config.distill).toEqual(distill);
    const bad = (d: object) =>
      JSON.parse(JSON.stringify({ ...stored, config: { ...stored.config, distill: d } })) as unknown;
    expect(() => readRun(bad({ ...distill, temperature: 0 }), STORED_LIMITS)).toThrow(/distill\.temperature/);
    expect(() => readRun(bad({ ...distill, alpha: 1.5 }), STORED_LIMITS)).toThrow(/distill\.alpha/);
    expect(() => readRun(bad({ ...distill, teacher: ' ' }), STORED_LIMITS)).toThrow(/distill\.teacher/);
    expect(() => readRun(bad({ ...distill, teacher: 'x'.repeat(5000) }), STORED_LIMITS)).toThrow(/distill\.teacher/);
    expect(() => readRun(bad({ temperature: 2, alpha: 0.5 }), STORED_LIMITS)).toThrow(/teacher/);
  });

  it('down-samples long runs to the cap, keeping the first and last step, summary untouched', () => {
    const stored = encodeRun(run(10_000), meta, 1000);
    expect(stored.steps.length).toBeLessThanOrEqual(1000);
    expect(stored.steps.length).toBeGreaterThan(900);
    expect(stored.steps[0].step).toBe(0);
    expect(stored.steps[stored.steps.length - 1].step).toBe(9999);
    expect(stored.meta.stepsTotal).toBe(10_000);
    expect(stored.summary.medianSamplesPerSec).toBe(1234);
    const gaps = new Set(stored.steps.slice(1, -1).map((s, i) => s.step - stored.steps[i].step));
    expect(gaps.size).toBe(1);
    expect(downsampleSteps(steps(5), 10)).toHaveLength(5);
  });

  it('gives a failed run without a summary one, and refuses what is not a stored run', () => {
    const failed = encodeRun({ ...run(0), status: 'failed', summary: null, error: 'boom' }, meta);
    expect(failed.summary.status).toBe('failed');
    expect(decodeRun(JSON.parse(JSON.stringify(failed)))?.summary.error).toBe('boom');
    const good = encodeRun(run(3), meta);
    expect(decodeRun(null)).toBeNull();
    expect(decodeRun({ ...good, version: 2 })).toBeNull();
    expect(decodeRun({ ...good, steps: [{ step: 'x' }] })).toBeNull();
    expect(decodeRun({ ...good, meta: { ...good.meta, colour: '1' } })).toBeNull();
    expect(decodeRun({ ...good, config: { ...good.config, model: null } })).toBeNull();
    expect(decodeRun({ ...good, environment: { backend: 'webgpu' } })).toBeNull();
  });

  it('caps the count and the size, letting the oldest go first and never the newest', () => {
    const entries = [5, 1, 4, 2, 3].map((t) => ({ id: `r${t}`, finishedAt: t, createdAt: t, size: 100 }));
    expect(overCap(entries, { maxRuns: 3, maxBytes: 1e9 })).toEqual(['r1', 'r2']);
    expect(overCap(entries, { maxRuns: 10, maxBytes: 250 })).toEqual(['r1', 'r2', 'r3']);
    expect(overCap(entries, { maxRuns: 10, maxBytes: 1e9 })).toEqual([]);
    expect(overCap([{ id: 'big', finishedAt: 1, createdAt: 1, size: 1e9 }], { maxRuns: 10, maxBytes: 10 })).toEqual([]);
    const stored = encodeRun(run(1000), meta);
    expect(storedSize(stored)).toBe(JSON.stringify(stored).length);
    expect(storedSize(stored)).toBeLessThan(200_000);
  });

  it('carries engine, precision and the fp16-mixed summary figures, and refuses unknown ones', () => {
    const r = run(20);
    const mixed = encodeRun(
      {
        ...r,
        config: { ...r.config, engine: 'wgsl', precision: 'fp16-mixed' },
        summary: { ...r.summary!, lossScale: 32768, skippedSteps: 3 },
      },
      meta,
    );
    const back = decodeRun(JSON.parse(JSON.stringify(mixed)));
    expect(back).toEqual(mixed);
    expect(back?.config).toMatchObject({ engine: 'wgsl', precision: 'fp16-mixed' });
    expect(back?.summary).toMatchObject({ lossScale: 32768, skippedSteps: 3 });
    // Stored before there was an engine: tfjs.
    const { engine: _engine, ...old } = mixed.config;
    expect(decodeRun({ ...mixed, config: { ...old, precision: 'fp32' } })?.config.engine).toBe('tfjs');
    expect(decodeRun({ ...mixed, config: { ...mixed.config, engine: 'warp' } })).toBeNull();
    expect(decodeRun({ ...mixed, config: { ...mixed.config, engine: null } })).toBeNull();
    expect(decodeRun({ ...mixed, config: { ...mixed.config, precision: 'fp8' } })).toBeNull();
    // Figures that are not valid numbers are left out, the run kept.
    for (const bad of [
      { lossScale: null, skippedSteps: -1 },
      { lossScale: 'big', skippedSteps: 1.5 },
      { lossScale: 0, skippedSteps: '2' },
    ]) {
      const s = decodeRun({ ...mixed, summary: { ...mixed.summary, ...bad } })?.summary;
      expect(s).toBeDefined();
      expect(s).not.toHaveProperty('lossScale');
      expect(s).not.toHaveProperty('skippedSteps');
    }
  });
});

describe('hostile stored runs and link runs (issue 12): refused with the field and the reason', () => {
  const good = () => JSON.parse(JSON.stringify(encodeRun(run(5), meta)));
  /** The refusal message of `readRun` for a run changed by `change` (on a JSON copy). */
  /** The decoder's refusal of `r` (a DecodeError's message), or 'accepted'. */
  const verdict = (r: unknown, lim: RunLimits) => {
    try {
      readRun(r, lim);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      return (e as Error).message;
    }
    return 'accepted';
  };
  const why = (change: (r: ReturnType<typeof good>) => void, lim: RunLimits = STORED_LIMITS) => {
    const r = good();
    change(r);
    return verdict(r, lim);
  };
  /** The same, with the run's JSON text edited (for what JSON.stringify never writes). */
  const whyText = (edit: (json: string) => string, lim: RunLimits = STORED_LIMITS) =>
    verdict(JSON.parse(edit(JSON.stringify(good()))), lim);

  it('refuses unknown keys anywhere, by path (a 48 KB link carried a 16-million-entry array this way)', () => {
    expect(why((r) => (r.payload = new Array(100_000).fill(0)))).toBe('run: unknown field "payload"');
    expect(why((r) => (r.config.extra = 1))).toBe('config: unknown field "extra"');
    expect(why((r) => (r.config.data.filter = 'x > 1'))).toBe('config.data: unknown field "filter"');
    expect(why((r) => (r.config.model.filters = [8]))).toBe('config.model: unknown field "filters"');
    expect(why((r) => (r.config.optimizer.turbo = true))).toMatch(/^config\.optimizer\.turbo: unknown field/);
    expect(why((r) => (r.steps[2].note = 'x'))).toBe('steps[2]: unknown field "note"');
    expect(why((r) => (r.epochs[0].f1 = 0.5))).toBe('epochs[0]: unknown field "f1"');
    expect(why((r) => (r.summary.html = '<b>'))).toBe('summary: unknown field "html"');
    expect(why((r) => (r.meta.sweep.extra = 1))).toBe('meta.sweep: unknown field "extra"');
    expect(why((r) => (r.environment.adapter.device = 'x'))).toBe('environment.adapter: unknown field "device"');
    // A key of a megabyte is quoted cut short.
    expect(why((r) => (r.meta['k'.repeat(1_000_000)] = 1))).toBe(`meta: unknown field "${'k'.repeat(40)}…"`);
  });

  it('refuses own __proto__, constructor and prototype keys', () => {
    expect(whyText((j) => j.replace('{"version":1', '{"__proto__":{"polluted":true},"version":1'))).toBe(
      'run: the field "__proto__" is not allowed',
    );
    expect(whyText((j) => j.replace('"optimizer":{', '"optimizer":{"constructor":{"prototype":{"x":1}},'))).toBe(
      'config.optimizer: the field "constructor" is not allowed',
    );
    expect(why((r) => (r.config.optimizer.schedule = JSON.parse('{"type":"constant","__proto__":{"x":1}}')))).toBe(
      'config.optimizer.schedule: the field "__proto__" is not allowed',
    );
    expect(why((r) => (r.meta.sweep = JSON.parse('{"id":"s","rung":1,"key":"k","prototype":1}')))).toBe(
      'meta.sweep: the field "prototype" is not allowed',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses non-finite numbers (1e999 parses to Infinity); a measured NaN travels as null', () => {
    expect(whyText((j) => j.replace('"batchSize":32', '"batchSize":1e999'))).toBe(
      'config.batchSize: must be a finite number, got Infinity',
    );
    expect(whyText((j) => j.replace('"time":0.01', '"time":-1e999'))).toBe(
      'steps[1].time: must be a finite number >= 0, got -Infinity',
    );
    expect(whyText((j) => j.replace('"createdAt":1', '"createdAt":1e999'))).toBe(
      'meta.createdAt: must be a finite number >= 0, got Infinity',
    );
    expect(whyText((j) => j.replace('"loss":0.5', '"loss":1e999'), LINK_LIMITS)).toBe(
      'steps[1].loss: must be a finite number, got Infinity',
    );
    // A diverged run: its NaN loss is null in JSON and NaN again when read; storage keeps what it had.
    const diverged = encodeRun({ ...run(3), steps: run(3).steps.map((s) => ({ ...s, loss: NaN })) }, meta);
    expect(readRun(JSON.parse(JSON.stringify(diverged)), LINK_LIMITS).steps.map((s) => s.loss)).toEqual([
      NaN,
      NaN,
      NaN,
    ]);
    const inf = encodeRun({ ...run(2), steps: run(2).steps.map((s) => ({ ...s, loss: Infinity })) }, meta);
    expect(readRun(structuredClone(inf), STORED_LIMITS).steps[0].loss).toBe(Infinity);
    expect(() => readRun(structuredClone(inf), LINK_LIMITS)).toThrow(
      'steps[0].loss: must be a finite number, got Infinity',
    );
  });

  it("refuses negative, fractional and out-of-range counts and settings, with the settings' own rules", () => {
    expect(why((r) => (r.steps[0].step = -1))).toBe('steps[0].step: must be a whole number >= 0, got -1');
    expect(why((r) => (r.steps[0].epoch = 1.5))).toBe('steps[0].epoch: must be a whole number >= 0, got 1.5');
    expect(why((r) => (r.config.data.rows = -5))).toBe('config.data.rows: must be a whole number >= 0, got -5');
    expect(why((r) => (r.config.epochs = -1))).toBe('config.epochs: must be a whole number from 1 to 100000, got -1');
    expect(why((r) => (r.config.batchSize = 2.5))).toBe(
      'config.batchSize: must be a whole number from 1 to 1048576, got 2.5',
    );
    expect(why((r) => (r.config.prefetch = 0))).toBe('config.prefetch: must be a whole number from 1 to 64, got 0');
    expect(why((r) => (r.config.seed = -1))).toMatch(/^config\.seed: must be a whole number from 0/);
    expect(why((r) => (r.config.maxSteps = 0))).toBe('config.maxSteps: must be a whole number >= 1, got 0');
    expect(why((r) => (r.config.optimizer.learningRate = 0))).toBe(
      'config.optimizer.learningRate: must be a finite number > 0, got 0',
    );
    expect(why((r) => (r.config.optimizer.learningRate = -0.1))).toBe(
      'config.optimizer.learningRate: must be a finite number > 0, got -0.1',
    );
    expect(why((r) => (r.config.optimizer.beta1 = 1))).toMatch(
      /^config\.optimizer\.beta1: must be a number in \[0, 1\)/,
    );
    // Found by the fuzz: the optimizer validator took 2^53 as a step count.
    expect(why((r) => (r.config.optimizer.schedule = { type: 'cosine', totalSteps: 2 ** 53 }))).toBe(
      'config.optimizer.schedule.totalSteps: must be a whole number >= 0, got 9007199254740992',
    );
    expect(why((r) => (r.config.model.hidden = [32, -4]))).toBe(
      'config.model.hidden[1]: must be a whole number from 1 to 65536, got -4',
    );
    expect(why((r) => (r.config.model.hidden = new Array(65).fill(1)))).toBe(
      'config.model.hidden: has 65 entries, more than 64',
    );
    expect(why((r) => (r.config.data.split.train = 1.5))).toBe(
      'config.data.split.train: must be a finite number >= 0 and <= 1, got 1.5',
    );
    expect(why((r) => (r.config.data.split.val = 0.5))).toBe(
      'config.data.split: the fractions add up to 1.4, more than 1',
    );
    expect(why((r) => (r.config.data.split.seed = 2 ** 32))).toBe(
      'config.data.split.seed: must be a whole number >= 0 and <= 4294967295, got 4294967296',
    );
    expect(why((r) => (r.epochs[0].valAccuracy = 1.2))).toBe(
      'epochs[0].valAccuracy: must be a finite number >= 0 and <= 1, got 1.2',
    );
    expect(why((r) => (r.meta.colour = -1))).toBe('meta.colour: must be a whole number >= 0 and <= 2147483647, got -1');
    expect(why((r) => (r.meta.budgetSec = 0))).toBe('meta.budgetSec: must be a finite number > 0, got 0');
    expect(why((r) => (r.meta.stepsTotal = 2))).toBe('meta.stepsTotal: must be a whole number >= 5, got 2');
    expect(why((r) => (r.summary.status = 'running'))).toBe(
      'summary.status: must be one of done, stopped, failed, got "running"',
    );
    expect(why((r) => (r.summary.misclassified = [{ index: -1, predicted: 0 }]))).toBe(
      'summary.misclassified[0].index: must be a whole number >= 0, got -1',
    );
    expect(
      why((r) => {
        r.config.engine = 'tfjs';
        r.config.precision = 'fp16-mixed';
      }),
    ).toMatch(/^config\.precision: fp16-mixed runs on the wgsl engine only/);
    expect(why((r) => (r.version = '1'))).toBe('version: must be 1, got "1"');
    expect(why((r) => delete r.config.optimizer)).toBe(
      'config.optimizer: must be an object, got nothing (the field is missing)',
    );
    expect(why((r) => delete r.config.batchSize)).toBe(
      'config.batchSize: must be a finite number, got nothing (the field is missing)',
    );
  });

  it("reads the model by its type's schema: activations, strides and input shapes of the types, nothing cast", () => {
    const cnn = (r: ReturnType<typeof good>, model: Record<string, unknown>) => {
      r.config.model = { type: 'cnn', filters: [4], hidden: [], activation: 'relu', ...model };
      r.config.backend = 'cpu';
    };
    expect(why((r) => cnn(r, {}))).toBe('accepted');
    expect(why((r) => (r.config.model.activation = 'gelu'))).toBe(
      'config.model.activation: must be one of relu, tanh, sigmoid, got "gelu"',
    );
    expect(why((r) => (r.config.model.activation = 1))).toBe(
      'config.model.activation: must be one of relu, tanh, sigmoid, got 1',
    );
    expect(why((r) => cnn(r, { inputShape: [28, 28] }))).toBe(
      'config.model.inputShape: must be [height, width, channels]',
    );
    expect(why((r) => cnn(r, { inputShape: [28, 28, 1, 1] }))).toBe(
      'config.model.inputShape: has 4 entries, more than 3',
    );
    expect(why((r) => cnn(r, { inputShape: [28, '28', 1] }))).toBe(
      'config.model.inputShape[1]: must be a finite number, got "28"',
    );
    expect(
      why(
        (r) =>
          (r.config.model = {
            type: 'dscnn',
            stem: 4,
            blocks: [{ filters: 8, stride: 3 }],
            hidden: [],
            activation: 'relu',
          }),
      ),
    ).toBe('config.model.blocks[0].stride: must be one of 1, 2, got 3');
    expect(
      why(
        (r) => (r.config.model = { type: 'dscnn', stem: 4, blocks: [{ filters: 8 }], hidden: [], activation: 'relu' }),
      ),
    ).toBe('config.model.blocks[0].stride: must be one of 1, 2, got nothing (the field is missing)');
    expect(why((r) => (r.config.model = { type: 'mlp', hidden: [4], activation: 'relu', stem: 4 }))).toBe(
      'config.model: unknown field "stem"',
    );
    expect(why((r) => (r.config.model = { type: 'rnn', hidden: [4], activation: 'relu' }))).toBe(
      'config.model.type: must be one of mlp, cnn, dscnn, got "rnn"',
    );
  });

  it("keeps of the optimizer only the fields the run states, with the validator's values", () => {
    expect(readRun(good(), LINK_LIMITS).config.optimizer).toEqual(good().config.optimizer);
    const r = good();
    r.config.optimizer = { name: 'adam', learningRate: 0.01, schedule: { type: 'cosine', totalSteps: 100 } };
    expect(readRun(r, LINK_LIMITS).config.optimizer).toEqual({
      name: 'adam',
      learningRate: 0.01,
      schedule: { type: 'cosine', totalSteps: 100 },
    });
    expect(why((q) => (q.config.optimizer = { name: 'adam', learningRate: 0.01, lookahead: null, clipNorm: 1 }))).toBe(
      'accepted',
    );
    expect(why((q) => (q.config.optimizer = { name: 'adam', learningRate: 0.01, clipNorm: 0 }))).toMatch(
      /^config\.optimizer\.clipNorm: /,
    );
    expect(why((q) => (q.config.optimizer = { name: 'adam', learningRate: 0.01, schedule: { type: 'cosine' } }))).toBe(
      'config.optimizer.schedule.totalSteps: is required for the cosine schedule',
    );
  });

  it('bounds text and lists, and refuses control characters in names; markup is kept as text', () => {
    expect(why((r) => (r.meta.title = 't'.repeat(4097)))).toBe('meta.title: is 4097 characters long, more than 4096');
    expect(why((r) => (r.config.data.name = 'n'.repeat(1025)))).toBe(
      'config.data.name: is 1025 characters long, more than 1024',
    );
    expect(why((r) => (r.meta.title = 'a\u0000b'))).toBe('meta.title: holds control characters');
    expect(why((r) => (r.config.data.label = 'y\u009b'))).toBe('config.data.label: holds control characters');
    expect(why((r) => (r.id = 'x'.repeat(257)))).toBe('id: is 257 characters long, more than 256');
    expect(why((r) => (r.meta.error = 'e'.repeat(10_001)))).toBe(
      'meta.error: is 10001 characters long, more than 10000',
    );
    expect(why((r) => (r.meta.error = 'line 1\n\tline 2'))).toBe('accepted');
    expect(why((r) => (r.config.data.features = new Array(65_537).fill('x')))).toBe(
      'config.data.features: has 65537 entries, more than 65536',
    );
    expect(why((r) => (r.steps = new Array(1001).fill(r.steps[0])))).toBe('steps: has 1001 entries, more than 1000');
    expect(why((r) => (r.steps = new Array(301).fill(r.steps[0])), LINK_LIMITS)).toBe(
      'steps: has 301 entries, more than 300',
    );
    expect(why((r) => (r.epochs = { length: 1 }))).toBe('epochs: must be a list, got an object');
    const r = good();
    r.meta.title = '<script>alert(1)</script>';
    expect(readRun(r, LINK_LIMITS).meta.title).toBe('<script>alert(1)</script>');
  });

  it(
    'reads keys holding undefined (structured clone keeps them) as absent, as the trainer and the model ' +
      'form leave them',
    () => {
      const r = encodeRun(run(4), meta);
      const input = structuredClone({
        ...r,
        summary: { ...r.summary, misclassified: undefined, lossScale: undefined },
        config: {
          ...r.config,
          model: { type: 'cnn', inputShape: undefined, filters: [4], hidden: [], activation: 'relu' },
          targetLoss: undefined,
        },
      });
      const back = decodeRun(input);
      expect(back?.summary).toEqual(r.summary);
      expect(Object.keys(back!.summary)).not.toContain('misclassified');
      expect(Object.keys(back!.config.model)).toEqual(['type', 'filters', 'hidden', 'activation']);
      expect(Object.keys(back!.config)).not.toContain('targetLoss');
    },
  );

  it('builds every object fresh: nothing of the input is kept by reference', () => {
    const input = good();
    const back = readRun(input, LINK_LIMITS);
    expect(back).toEqual(input);
    const pairs: [unknown, unknown][] = [
      [back, input],
      [back.config, input.config],
      [back.config.data, input.config.data],
      [back.config.data.features, input.config.data.features],
      [back.config.model, input.config.model],
      [back.config.optimizer, input.config.optimizer],
      [back.steps, input.steps],
      [back.steps[0], input.steps[0]],
      [back.epochs[0], input.epochs[0]],
      [back.summary, input.summary],
      [back.meta, input.meta],
      [back.meta.sweep, input.meta.sweep],
      [back.environment, input.environment],
    ];
    for (const [a, b] of pairs) expect(a).not.toBe(b);
    input.config.data.features.push('injected');
    expect(back.config.data.features).toEqual(['x']);
  });
});
