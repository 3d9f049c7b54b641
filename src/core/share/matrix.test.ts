import { describe, expect, it } from 'vitest';
import {
  engineCombos,
  expandMatrix,
  leftOutNote,
  matrixSize,
  optimizerFor,
  parseNumberList,
  wgslUnavailableNote,
} from './matrix';
import { DEFAULT_SETTINGS, makeRunConfig, validateSettings, type RunSettings } from '../train/run-config';
import { defaultModelSpec } from '../train/model';
import { ConfigError } from '../errors';

const base: RunSettings = { ...DEFAULT_SETTINGS, seed: 7, optimizer: { name: 'adam', learningRate: 0.01, beta1: 0.8 } };

describe('expandMatrix', () => {
  it('makes one run per combination and seed, seeds innermost, last axis fastest', () => {
    const runs = expandMatrix(base, { optimizer: ['adam', 'sgd'], batchSize: [16, 64] }, 3);
    expect(runs).toHaveLength(2 * 2 * 3);
    expect(runs.map((r) => `${r.optimizer.name}/${r.batchSize}/${r.seed}`)).toEqual([
      'adam/16/7',
      'adam/16/8',
      'adam/16/9',
      'adam/64/7',
      'adam/64/8',
      'adam/64/9',
      'sgd/16/7',
      'sgd/16/8',
      'sgd/16/9',
      'sgd/64/7',
      'sgd/64/8',
      'sgd/64/9',
    ]);
    expect(matrixSize({ optimizer: ['adam', 'sgd'], batchSize: [16, 64] }, 3)).toBe(12);
  });

  it('matches a brute-force product over every axis and keeps every other setting', () => {
    const axes = {
      optimizer: ['adam', 'momentum'] as const,
      learningRate: [0.1, 0.01],
      batchSize: [8, 16, 32],
      backend: ['webgpu', 'cpu'] as const,
      dedup: ['none', 'exact'] as const,
    };
    const runs = expandMatrix(
      base,
      { ...axes, optimizer: [...axes.optimizer], backend: [...axes.backend], dedup: [...axes.dedup] },
      2,
    );
    const seen = new Set(
      runs.map(
        (r) => `${r.optimizer.name}|${r.optimizer.learningRate}|${r.batchSize}|${r.backend}|${r.dedup}|${r.seed}`,
      ),
    );
    expect(seen.size).toBe(runs.length);
    for (const o of axes.optimizer)
      for (const lr of axes.learningRate)
        for (const b of axes.batchSize)
          for (const be of axes.backend)
            for (const d of axes.dedup)
              for (const s of [7, 8]) expect(seen.has(`${o}|${lr}|${b}|${be}|${d}|${s}`)).toBe(true);
    expect(runs.length).toBe(2 * 2 * 3 * 2 * 2 * 2);
    for (const r of runs) {
      expect(r.epochs).toBe(base.epochs);
      expect(r.model).toEqual(base.model);
    }
  });

  it('keeps the base when an axis is empty, and counts duplicate values once', () => {
    expect(expandMatrix(base, {}, 1)).toEqual([base]);
    expect(expandMatrix(base, { batchSize: [16, 16] }, 1)).toHaveLength(1);
    expect(() => expandMatrix(base, {}, 0)).toThrow(/repeats/);
    expect(() => expandMatrix(base, {}, 0)).toThrow(ConfigError);
  });

  it('drops hyper-parameters that do not apply to the optimizer, so every combination validates', () => {
    const runs = expandMatrix(
      { ...base, optimizer: { name: 'momentum', learningRate: 0.1, momentum: 0.5, weightDecay: 0.001 } },
      { optimizer: ['momentum', 'adam', 'rmsprop', 'lion'] },
      1,
    );
    for (const r of runs) expect(() => validateSettings(r)).not.toThrow();
    expect(runs[0].optimizer.momentum).toBe(0.5);
    expect(runs[1].optimizer).toEqual({ name: 'adam', learningRate: 0.1, weightDecay: 0.001 });
    expect(optimizerFor({ name: 'adam', learningRate: 1, beta1: 0.5, rho: 0.3 }, 'rmsprop')).toEqual({
      name: 'rmsprop',
      learningRate: 1,
      rho: 0.3,
    });
  });
});

describe('expandMatrix over engine × precision', () => {
  const data = {
    fingerprint: 'f',
    name: 'd',
    rows: 10,
    label: 'y',
    features: ['x'],
    dedup: 'none' as const,
    split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
  };

  it('carries engine and precision into every run and its config, leaving out tfjs × fp16-mixed', () => {
    const axes = {
      engine: ['tfjs', 'wgsl'] as ('tfjs' | 'wgsl')[],
      precision: ['fp32', 'fp16-mixed'] as ('fp32' | 'fp16-mixed')[],
      batchSize: [16, 64],
    };
    const runs = expandMatrix(base, axes, 2);
    const pairs = runs.map((r) => `${r.batchSize}/${r.engine}/${r.precision}/${r.seed}`);
    expect(pairs).toEqual([
      '16/tfjs/fp32/7',
      '16/tfjs/fp32/8',
      '16/wgsl/fp32/7',
      '16/wgsl/fp32/8',
      '16/wgsl/fp16-mixed/7',
      '16/wgsl/fp16-mixed/8',
      '64/tfjs/fp32/7',
      '64/tfjs/fp32/8',
      '64/wgsl/fp32/7',
      '64/wgsl/fp32/8',
      '64/wgsl/fp16-mixed/7',
      '64/wgsl/fp16-mixed/8',
    ]);
    expect(matrixSize(axes, 2, base)).toBe(runs.length);
    expect(matrixSize(axes, 2)).toBe(16);
    for (const r of runs) {
      const checked = validateSettings(r);
      const config = makeRunConfig(checked, data);
      expect([config.engine, config.precision]).toEqual([r.engine, r.precision]);
    }
    const { kept, leftOut } = engineCombos(base, axes);
    expect(kept).toEqual([
      ['tfjs', 'fp32'],
      ['wgsl', 'fp32'],
      ['wgsl', 'fp16-mixed'],
    ]);
    expect(leftOut.map((c) => [c.what, c.field])).toEqual([['tfjs × fp16-mixed', 'precision']]);
    expect(leftOutNote(leftOut)).toBe('tfjs × fp16-mixed left out: fp16-mixed runs on the wgsl engine');
  });

  it('runs image models on both engines; only tfjs × fp16-mixed is left out', () => {
    const axes = {
      engine: ['tfjs', 'wgsl'] as ('tfjs' | 'wgsl')[],
      precision: ['fp32', 'fp16-mixed'] as ('fp32' | 'fp16-mixed')[],
    };
    for (const type of ['cnn', 'dscnn'] as const) {
      const image: RunSettings = { ...base, model: defaultModelSpec(type) };
      const runs = expandMatrix(image, axes, 1);
      expect(runs.map((r) => `${r.engine}/${r.precision}`)).toEqual(['tfjs/fp32', 'wgsl/fp32', 'wgsl/fp16-mixed']);
      expect(matrixSize(axes, 1, image)).toBe(3);
      expect(leftOutNote(engineCombos(image, axes).leftOut)).toBe(
        'tfjs × fp16-mixed left out: fp16-mixed runs on the wgsl engine',
      );
    }
  });

  it('leaves nothing when no pair can run, and nothing out with the defaults', () => {
    expect(expandMatrix(base, { engine: ['tfjs'], precision: ['fp16-mixed'] }, 3)).toEqual([]);
    expect(matrixSize({ engine: ['tfjs'], precision: ['fp16-mixed'] }, 3, base)).toBe(0);
    expect(expandMatrix({ ...base, precision: 'fp16-mixed' }, {}, 1)).toEqual([]);
    expect(engineCombos(base, {}).leftOut).toEqual([]);
    expect(leftOutNote([])).toBeNull();
    expect(expandMatrix(base, {}, 1)).toEqual([base]);
  });
});

describe('parseNumberList', () => {
  it('reads commas and spaces, and names a bad entry', () => {
    expect(parseNumberList('16, 64 256')).toEqual({ values: [16, 64, 256] });
    expect(parseNumberList('1e-3,0.01')).toEqual({ values: [0.001, 0.01] });
    expect(parseNumberList('16, sixty')).toEqual({ error: '"sixty" is not a number' });
    expect(parseNumberList('  ')).toEqual({ error: 'needs at least one number' });
  });
});

describe('wgslUnavailableNote', () => {
  it('warns of wgsl runs only when the started trainer found no WebGPU for the engine', () => {
    const none = { f16Path: 'none' as const, backend: 'webgl' as const };
    expect(wgslUnavailableNote(none, ['tfjs', 'wgsl'])).toBe(
      'wgsl: no WebGPU for the engine here, so its runs will be refused; the tfjs engine trains on webgl',
    );
    // Nothing asks for wgsl, the backend has not started, or the engine has a GPU (either f16 path).
    expect(wgslUnavailableNote(none, ['tfjs'])).toBeNull();
    expect(wgslUnavailableNote(null, ['wgsl'])).toBeNull();
    for (const f16Path of ['packed', 'native'] as const)
      expect(wgslUnavailableNote({ f16Path, backend: 'webgpu' }, ['wgsl'])).toBeNull();
  });
});
