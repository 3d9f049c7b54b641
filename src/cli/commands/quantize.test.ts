/**
 * Post-training quantization: the int8 round trip against its definition (brute force per
 * channel), and `quantize` on MNIST runs of three seeds: the float model's validation accuracy
 * is the engine's own (the record's), int8 weights stay within 1 point of it, f16 within 0.5,
 * and the sizes are a half and about a quarter. Then the refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelAxis, quantizeInt8 } from '../../core/compress/quantize';
import { Rng } from '../../core/data/rng';
import type { RunRecord } from '../../core/train/record';
import { cpuTrainArgs } from '../cli-process.test-support';

const MNIST = 'public/datasets/mnist-2k.arrow';
const dir = mkdtempSync(join(tmpdir(), 'tb-quantize-'));
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('quantizeInt8', () => {
  it('rounds each value to within half a step of its channel (scale = max |w| / 127)', () => {
    const rng = new Rng(3);
    for (const [name, shape] of [
      ['dense0/kernel', [7, 5]],
      ['conv0/kernel', [3, 3, 2, 4]],
      ['block0/depthwise', [3, 3, 6, 1]],
    ] as [string, number[]][]) {
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.2);
      const axis = channelAxis(name, shape)!;
      expect(axis).toBe(name.endsWith('depthwise') ? 2 : shape.length - 1);
      const { q, scales, dequantized } = quantizeInt8(values, shape, axis);
      // The channel of element i, from its multi-index (row-major), by brute force.
      const channel = (i: number) => {
        let rest = i;
        const idx = shape.map(() => 0);
        for (let d = shape.length - 1; d >= 0; d--) {
          idx[d] = rest % shape[d];
          rest = Math.floor(rest / shape[d]);
        }
        return idx[axis];
      };
      const max = new Array<number>(shape[axis]).fill(0);
      values.forEach((v, i) => (max[channel(i)] = Math.max(max[channel(i)], Math.abs(v))));
      max.forEach((m, c) => expect(scales[c]).toBeCloseTo(m / 127, 7));
      values.forEach((v, i) => {
        expect(Math.abs(q[i])).toBeLessThanOrEqual(127);
        expect(Math.abs(dequantized[i] - v)).toBeLessThanOrEqual(scales[channel(i)] / 2 + 1e-7);
      });
    }
    expect(channelAxis('dense0/bias', [5])).toBeNull();
  });
});

interface Quantized {
  modes: {
    mode: string;
    bytes: number;
    val: { loss: number; accuracy: number };
    test: { loss: number; accuracy: number };
  }[];
}

describe('quantize', () => {
  it("MNIST MLP, seeds 1-3: int8 within 1 point of float, f16 within 0.5; float is the engine's accuracy", () => {
    for (const seed of [1, 2, 3]) {
      const t = cli(cpuTrainArgs(MNIST, { epochs: 3, seed }));
      expect(t.code).toBe(0);
      const record = JSON.parse(t.stdout) as RunRecord;
      const path = join(dir, `run-${seed}.json`);
      writeFileSync(path, t.stdout);
      const r = cli(['quantize', path, '--data', MNIST, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as Quantized;
      const by = Object.fromEntries(out.modes.map((m) => [m.mode, m]));
      expect(by.float.val.accuracy).toBeCloseTo(record.epochs[record.epochs.length - 1].valAccuracy!, 9);
      expect(Math.abs(by.int8.val.accuracy - by.float.val.accuracy)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(by.int8.test.accuracy - by.float.test.accuracy)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(by['int8-act'].test.accuracy - by.float.test.accuracy)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(by.f16.val.accuracy - by.float.val.accuracy)).toBeLessThanOrEqual(0.005);
      expect(by.f16.bytes / by.float.bytes).toBeCloseTo(0.5, 1);
      expect(by.int8.bytes / by.float.bytes).toBeLessThan(0.27);
    }
  }, 170_000);

  it("a regression (penguins' body mass): the float model's val loss and RMSE in grams are the run's", () => {
    const penguins = 'public/datasets/penguins.arrow';
    const t = cli(cpuTrainArgs(penguins, { epochs: 3 }, ['--label', 'Body Mass (g)']));
    expect(t.code).toBe(0);
    const record = JSON.parse(t.stdout) as RunRecord;
    const path = join(dir, 'run-mass.json');
    writeFileSync(path, t.stdout);
    const r = cli(['quantize', path, '--data', penguins, '--json']);
    expect(r.code).toBe(0);
    const modes = (JSON.parse(r.stdout) as { modes: { mode: string; val: { loss: number; rmse: number } }[] }).modes;
    const last = record.epochs[record.epochs.length - 1];
    const float = modes.find((m) => m.mode === 'float')!;
    expect(float.val.loss).toBeCloseTo(last.valLoss!, 6);
    expect(float.val.rmse).toBeCloseTo(last.valRmse!, 3);
    expect(float.val.rmse).toBeGreaterThan(100); // grams
    for (const m of modes)
      expect(m.val.rmse / Math.sqrt(m.val.loss)).toBeCloseTo(last.valRmse! / Math.sqrt(last.valLoss!), 6);
    expect(cli(['quantize', path, '--data', penguins]).stdout).toMatch(/ {2}int8 .* val loss [\d.]+, RMSE [\d.]+ /);
  }, 120_000);

  it('refuses a run whose weights are gone, and a missing --data', () => {
    const t = cli([
      'train',
      '--data',
      MNIST,
      '--epochs',
      '1',
      '--max-steps',
      '3',
      '--backend',
      'cpu',
      '--json',
      '--quiet',
    ]);
    const rec = JSON.parse(t.stdout) as RunRecord;
    const path = join(dir, 'gone.json');
    writeFileSync(path, JSON.stringify({ ...rec, trained: undefined }));
    const gone = cli(['quantize', path, '--data', MNIST]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^quantize: .*gone\.json: trained: the record has no trained weights/);
    const kept = join(dir, 'kept.json');
    writeFileSync(kept, t.stdout);
    const noData = cli(['quantize', kept]);
    expect(noData.code).toBe(1);
    expect(noData.stderr).toMatch(
      /^quantize: data: quantize evaluates on the run's dataset \(mnist-2k\.arrow, sha256 [0-9a-f]{12}\.\.\.\): pass --data FILE$/m,
    );
  }, 60_000);
});
