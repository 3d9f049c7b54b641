/**
 * Pruning end to end from the CLI (tfjs engine, cpu backend): on the MNIST sample, seeds 1-3,
 * an MLP pruned to 90 % sparsity against its dense twin (same seeds, same everything else).
 * The stored weights hold exactly round(0.9 * size) zeros per kernel and none in the biases;
 * the record's sparsity says so; the mean validation accuracy over the three seeds stays within
 * 1 point of the dense twin's (each seed's own difference is printed: with 200 validation rows a
 * single seed moves by up to 2 points either way). Then the refusals, naming the field.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../core/train/record';
import { readTrainedRecord } from '../../core/train/trained';
import { swiftShaderEnv } from '../../gpu/node-webgpu';
import { sparseLayersText } from './train';
import { cpuTrainArgs } from '../cli-process.test-support';

const MNIST = 'public/datasets/mnist-2k.arrow';
const dir = mkdtempSync(join(tmpdir(), 'tb-prune-'));
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const config = (pruning: unknown) => {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ pruning }));
  return path;
};
const train = (seed: number, extra: string[]) => cli(cpuTrainArgs(MNIST, { epochs: 8, seed }, extra));

describe('train with pruning', () => {
  it('MNIST MLP, seeds 1-3: 90 % sparse kernels, mean validation accuracy within 1 point of the dense twin', () => {
    const pruned = config({ targetSparsity: 0.9, startStep: 50, endStep: 250, every: 25 });
    const diffs: number[] = [];
    for (const seed of [1, 2, 3]) {
      const p = train(seed, ['--config', pruned]);
      const d = train(seed, []);
      expect(p.stderr).toBe('');
      expect(p.code).toBe(0);
      expect(d.code).toBe(0);
      const [pr, dr] = [JSON.parse(p.stdout) as RunRecord, JSON.parse(d.stdout) as RunRecord];
      expect(pr.config.pruning).toEqual({ targetSparsity: 0.9, startStep: 50, endStep: 250, every: 25 });
      expect(dr.config.pruning).toBeUndefined();
      const { trained } = readTrainedRecord(pr);
      let [zeros, kernelValues, nonZero] = [0, 0, 0];
      for (const t of trained.tensors) {
        const z = t.values.filter((v) => v === 0).length;
        nonZero += t.values.length - z;
        if (t.shape.length === 1) expect(z, t.name).toBe(0);
        else {
          expect(z, t.name).toBe(Math.round(0.9 * t.values.length));
          zeros += z;
          kernelValues += t.values.length;
        }
      }
      expect(pr.summary.sparsity).toBeCloseTo(zeros / kernelValues, 12);
      expect(pr.summary.nonZeroParameters).toBe(nonZero);
      const acc = (r: RunRecord) => r.epochs[r.epochs.length - 1].valAccuracy!;
      diffs.push(acc(pr) - acc(dr));
      console.log(`seed ${seed}: pruned ${acc(pr)} dense ${acc(dr)}`);
    }
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    expect(Math.abs(mean)).toBeLessThanOrEqual(0.01);
  }, 600_000);

  it('prints what pruning reached, and says when the run ended before the schedule did', () => {
    const r = cli([
      'train',
      '--data',
      MNIST,
      '--epochs',
      '1',
      '--max-steps',
      '20',
      '--backend',
      'cpu',
      '--quiet',
      '--config',
      config({ targetSparsity: 0.5, startStep: 5, endStep: 40, every: 5 }),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pruned: [\d.]+ % of the kernel weights are zero \(target 50 %, steps 5-40 every 5\)/);
    expect(r.stdout).toMatch(/the run ended after 20 steps, before the schedule's end step 40/);
  }, 300_000);

  it('on the wgsl engine (Dawn): pruned layers past half are timed sparse against dense, and the record says which ran', () => {
    const r = cli(
      [
        'train',
        '--data',
        MNIST,
        '--engine',
        'wgsl',
        '--epochs',
        '1',
        '--max-steps',
        '12',
        '--json',
        '--quiet',
        '--config',
        config({ targetSparsity: 0.99, startStep: 4, endStep: 8, every: 4 }),
      ],
      { ...process.env, ...swiftShaderEnv() },
    );
    expect(r.stderr).toBe('');
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec.config.engine).toBe('wgsl');
    // The default MLP's three kernels, 99 % pruned: each timed at the last mask update.
    expect(rec.summary.sparseLayers?.map((l) => l.layer)).toEqual([0, 1, 2]);
    for (const l of rec.summary.sparseLayers!) {
      expect(l.sparsity).toBeGreaterThan(0.98);
      expect(l.denseMs).toBeGreaterThan(0);
      expect(l.sparseMs).toBeGreaterThan(0);
      expect(l.sparse).toBe(l.sparseMs! < l.denseMs!);
    }
    expect(sparseLayersText(rec.summary.sparseLayers!)).toMatch(
      /^sparse kernels: layer 0 at 9\d\.\d % (runs sparse|stays dense)/,
    );
  }, 300_000);

  it.each([
    [{ targetSparsity: 1, startStep: 0, endStep: 10, every: 1 }, 'pruning.targetSparsity'],
    [{ targetSparsity: 0.5, startStep: 20, endStep: 10, every: 1 }, 'pruning.endStep'],
    [{ targetSparsity: 0.5, startStep: 0, endStep: 10, every: 0 }, 'pruning.every'],
  ])(
    'refuses %j naming %s',
    (pruning, field) => {
      const r = cli(['train', '--data', MNIST, '--backend', 'cpu', '--config', config(pruning)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${field}:`);
    },
    300_000,
  );
});
