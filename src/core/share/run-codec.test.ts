import { describe, expect, it } from 'vitest';
import { decodeRun, downsampleSteps, encodeRun, overCap, storedSize, type EncodableRun } from './run-codec';
import { DEFAULT_SETTINGS, makeRunConfig } from '../train/run-config';
import type { StepRecord } from '../train/record';

const steps = (n: number): StepRecord[] => Array.from({ length: n }, (_, i) => ({ step: i, epoch: Math.floor(i / 10), time: i * 0.01, loss: 1 / (i + 1), samplesPerSec: 1000 + i, dataWaitMs: 0.5, gpuMs: i % 2 ? null : 0.25, readbackMs: 0 }));

function run(n: number): EncodableRun {
  return {
    id: 'run-1',
    config: makeRunConfig(DEFAULT_SETTINGS, { fingerprint: 'abc', name: 'p.arrow', rows: 10, label: 'y', features: ['x'], dedup: 'exact', split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 } }),
    environment: { runtime: 'chrome 140', adapter: { vendor: 'google', architecture: 'swiftshader' }, features: ['timestamp-query'], f16Path: 'none', backend: 'webgpu', fallbackReason: null },
    status: 'done',
    steps: steps(n),
    epochs: [{ epoch: 0, trainLoss: 0.5, valLoss: 0.4, valAccuracy: 0.9 }],
    summary: { status: 'done', medianSamplesPerSec: 1234, timeToTargetLoss: 0.5, finalValMetric: 0.9 },
    error: null,
    info: '275 training rows',
  };
}
const meta = { title: 'MLP', colour: 3, createdAt: 1, finishedAt: 2, budgetSec: null, sweep: { id: 's', rung: 1, key: 'c2' } };

describe('stored runs', () => {
  it('round-trips through JSON and structured clone unchanged', () => {
    const stored = encodeRun(run(50), meta);
    expect(decodeRun(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    expect(decodeRun(structuredClone(stored))).toEqual(stored);
    expect(stored.steps).toEqual(run(50).steps);
    expect(stored.meta).toMatchObject({ ...meta, stepsTotal: 50, info: '275 training rows', error: null });
    expect(stored.config.data.dedup).toBe('exact');
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
    const mixed = encodeRun({ ...r, config: { ...r.config, engine: 'wgsl', precision: 'fp16-mixed' }, summary: { ...r.summary!, lossScale: 32768, skippedSteps: 3 } }, meta);
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
    for (const bad of [{ lossScale: null, skippedSteps: -1 }, { lossScale: 'big', skippedSteps: 1.5 }, { lossScale: 0, skippedSteps: '2' }]) {
      const s = decodeRun({ ...mixed, summary: { ...mixed.summary, ...bad } })?.summary;
      expect(s).toBeDefined();
      expect(s).not.toHaveProperty('lossScale');
      expect(s).not.toHaveProperty('skippedSteps');
    }
  });
});
