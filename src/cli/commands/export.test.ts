/**
 * `export` end to end: a run trained by the CLI is exported, and the exported model, scored by
 * ONNX Runtime on raw rows that apache-arrow reads from the same file (encoded with the run's
 * preprocessing.json), makes the predictions the engine itself made on the validation rows: the
 * same validation accuracy and the same misclassified rows with the same predicted classes
 * (record.summary.misclassified, written by the engine). The tfjs files, loaded with
 * tf.loadLayersModel, give the ONNX outputs within 1e-5. Then the refusals: a newer record
 * format, no weights, damaged tensors, bad flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { tableFromIPC } from 'apache-arrow';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTable } from '../../core/data/encode';
import { encodeRow, type Preprocessing } from '../../core/data/preprocessing';
import { readTable } from '../../core/data/read';
import type { RunRecord } from '../../core/train/record';
import { swiftShaderEnv } from '../../gpu/node-webgpu';

ort.env.wasm.numThreads = 1;
const PENGUINS = 'public/datasets/penguins.arrow';
const MNIST = 'public/datasets/mnist-2k.arrow';
const dir = mkdtempSync(join(tmpdir(), 'tb-export-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function trainRecord(args: string[], env?: Record<string, string>): { path: string; record: RunRecord } {
  const r = cli(['train', ...args, '--json', '--quiet'], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const path = join(dir, `run-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, r.stdout);
  return { path, record: JSON.parse(r.stdout) as RunRecord };
}

function exportTo(record: string, to: string): string {
  const out = join(dir, `${to}-${Math.random().toString(36).slice(2)}`);
  const r = cli(['export', record, '--to', to, '--out', out, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
}

/** Scores the validation rows of a record's run with its ONNX export; checks the tfjs export against it. */
async function checkAgainstEngine(file: string, rec: RunRecord) {
  const onnxDir = exportTo(file, 'onnx');
  const tfjsDir = exportTo(file, 'tfjs');
  const pre = JSON.parse(readFileSync(join(onnxDir, 'preprocessing.json'), 'utf8')) as Preprocessing;
  expect(pre.label).toBe(rec.config.data.label);

  // The validation rows, as the run split them (the product's reader and encoder pick the rows)...
  const bytes = readFileSync(dataOf(rec));
  const enc = encodeTable(
    readTable(new Uint8Array(bytes), rec.config.data.name),
    rec.config.data,
    rec.config.data.split,
  );
  const valSource = Array.from(enc.split.val, (r) => enc.sourceRows[r]);
  // ...their raw values read by a second library, encoded by preprocessing.json alone.
  const arrow = tableFromIPC(bytes);
  const x = new Float32Array(valSource.length * pre.dim);
  valSource.forEach((row, i) =>
    encodeRow(pre, arrow.get(row)!.toJSON() as Record<string, unknown>, x.subarray(i * pre.dim, (i + 1) * pre.dim)),
  );

  const session = await ort.InferenceSession.create(readFileSync(join(onnxDir, 'model.onnx')));
  const out = (await session.run({ input: new ort.Tensor('float32', x, [valSource.length, pre.dim]) })).output
    .data as Float32Array;
  await session.release();
  const k = out.length / valSource.length;
  const predicted = valSource.map((_, i) => {
    if (k === 1) return out[i] > 0 ? 1 : 0;
    let best = 0;
    for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
    return best;
  });
  const classOf = (row: number) => pre.classes!.indexOf(String(arrow.get(row)!.toJSON()[pre.label]));
  const wrong = valSource.flatMap((row, i) =>
    predicted[i] !== classOf(row) ? [{ index: i, predicted: predicted[i] }] : [],
  );
  const last = rec.epochs[rec.epochs.length - 1];
  expect(1 - wrong.length / valSource.length).toBeCloseTo(last.valAccuracy!, 10);
  expect(wrong.slice(0, 50)).toEqual(rec.summary.misclassified);

  const manifest = JSON.parse(readFileSync(join(tfjsDir, 'model.json'), 'utf8'));
  const weights = readFileSync(join(tfjsDir, 'weights.bin'));
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: manifest.weightsManifest[0].weights,
      weightData: new Uint8Array(weights).buffer,
    }),
  );
  const got = await tf.tidy(() => loaded.predict(tf.tensor2d(x, [valSource.length, pre.dim])) as tf.Tensor).data();
  loaded.dispose();
  for (let i = 0; i < out.length; i++) expect(Math.abs(got[i] - out[i])).toBeLessThan(1e-5);
  return { wrong: wrong.length, rows: valSource.length };
}

const dataOf = (rec: RunRecord) => (rec.config.data.name === 'penguins.arrow' ? PENGUINS : MNIST);

describe('export', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("penguins MLP (tfjs engine): the ONNX and tfjs exports make the engine's validation predictions", async () => {
    const { path, record } = trainRecord(['--data', PENGUINS, '--epochs', '2', '--backend', 'cpu']);
    expect(record.trained?.tensors.map((t) => t.name)).toEqual([
      'dense0/kernel',
      'dense0/bias',
      'dense1/kernel',
      'dense1/bias',
      'dense2/kernel',
      'dense2/bias',
    ]);
    const { rows } = await checkAgainstEngine(path, record);
    expect(rows).toBeGreaterThan(20);
  }, 120_000);

  it("MNIST CNN (wgsl engine, fp32): the ONNX export makes the engine's validation predictions", async () => {
    const config = join(dir, 'cnn.json');
    writeFileSync(
      config,
      JSON.stringify({
        model: {
          type: 'cnn',
          inputShape: [28, 28, 1],
          filters: [4, 8],
          groups: [1, 2],
          hidden: [],
          activation: 'relu',
        },
        optimizer: { name: 'adam', learningRate: 0.01 },
        batchSize: 32,
        epochs: 1,
        maxSteps: 15,
      }),
    );
    const { path, record } = trainRecord(['--data', MNIST, '--config', config, '--engine', 'wgsl'], swiftShaderEnv());
    expect(record.config.engine).toBe('wgsl');
    expect(record.environment.backend).toBe('webgpu');
    const { wrong } = await checkAgainstEngine(path, record);
    // Trained 15 steps: some rows wrong, so the comparison of misclassified rows has something to compare.
    expect(wrong).toBeGreaterThan(0);
  }, 180_000);

  describe('refuses', () => {
    const good = () => JSON.parse(readFileSync(trained, 'utf8')) as RunRecord & Record<string, unknown>;
    let trained = '';
    beforeAll(() => {
      trained = trainRecord(['--data', PENGUINS, '--epochs', '1', '--backend', 'cpu', '--hidden', '4']).path;
    }, 60_000);
    const run = (rec: unknown, extra: string[] = ['--to', 'onnx']) => {
      const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(path, typeof rec === 'string' ? rec : JSON.stringify(rec));
      return { ...cli(['export', path, ...extra, '--out', join(dir, 'never')]), path };
    };
    const cases: [string, () => unknown, RegExp][] = [
      [
        'a newer record format',
        () => ({ ...good(), version: 2 }),
        /version: the record is format version 2, written by a newer Trainbench/,
      ],
      [
        'a record without weights',
        () => ({ ...good(), trained: undefined }),
        /trained: the record has no trained weights/,
      ],
      [
        'a tensor of the wrong shape',
        () => {
          const r = good();
          r.trained!.tensors[0].shape = [9, 4];
          return r;
        },
        /trained\.tensors\[0\]: must be dense0\/kernel of shape \[10, 4\]/,
      ],
      [
        'a cut tensor',
        () => {
          const r = good();
          r.trained!.tensors[2].float32 = r.trained!.tensors[2].float32.slice(0, -8);
          return r;
        },
        /trained\.tensors\[2\]\.float32: must be 48 bytes \(12 float32 values\)/,
      ],
      [
        'preprocessing that does not add up',
        () => {
          const r = good();
          r.trained!.preprocessing.dim = 11;
          return r;
        },
        /trained\.preprocessing\.dim: is 11, but the inputs are 10 wide/,
      ],
      [
        'a model spec that is not one',
        () => ({ ...good(), config: { ...good().config, model: { type: 'rnn' } } }),
        /config\.model\.type: "rnn" is unknown/,
      ],
      ['not JSON', () => '{"version": 1,', /is not JSON/],
      [
        'a config without --data',
        () => ({ epochs: 1 }),
        /is not a run record .* give the data to train it on with --data FILE/,
      ],
    ];
    for (const [what, make, message] of cases) {
      it(what, () => {
        const r = run(make());
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^export: /);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      });
    }
    it('quantized exports it cannot honour', () => {
      const tfjsInt8 = run(good(), ['--to', 'tfjs', '--quantize', 'int8']);
      expect(tfjsInt8.code).toBe(1);
      expect(tfjsInt8.stderr).toMatch(/^export: quantize: tfjs stores int8 weights with one scale per tensor/);
      const int4 = run(good(), ['--to', 'onnx', '--quantize', 'int4']);
      expect(int4.code).toBe(2);
      expect(int4.stderr).toMatch(/--quantize takes int8 or f16, got "int4"/);
    });

    it('an --out that is a file, or lies under one, before anything is written', () => {
      for (const out of [trained, join(trained, 'sub')]) {
        const r = cli(['export', trained, '--to', 'onnx', '--out', out]);
        expect(r.code, out).toBe(1);
        expect(r.stderr.trim().split('\n'), out).toHaveLength(1);
        expect(r.stderr, out).toMatch(
          out === trained
            ? /^export: \S+: is a file, not a folder; --out names the folder/
            : /^export: \S+sub: --out cannot be used \(a part of the path is a file, not a folder, ENOTDIR\)/,
        );
      }
      // The record is untouched (it was the --out of the first try).
      expect(good().summary.status).toBe('done');
    });

    it('data flags an export of a record to onnx or tfjs would drop, as usage errors', () => {
      for (const to of ['onnx', 'tfjs'])
        for (const extra of [['--data', PENGUINS], ['--no-data'], ['--group', 'g']]) {
          const r = run(good(), ['--to', to, ...extra]);
          expect(r.code, `${to} ${extra[0]}`).toBe(2);
          expect(r.stderr).toMatch(
            new RegExp(`^export: ${extra[0]} applies to --to pytorch .*--to ${to} reads no data`),
          );
        }
      const both = run(good(), ['--to', 'pytorch', '--data', PENGUINS, '--no-data']);
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/^export: --data and --no-data cannot go together/);
    });

    it('an unknown --to as a usage error', () => {
      const usage = run(good(), ['--to', 'keras']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--to onnx\|tfjs\|pytorch, got "keras"/);
    });
  });

  it('trains a config given with --data, then exports it', () => {
    const config = join(dir, 'penguins-config.json');
    writeFileSync(
      config,
      JSON.stringify({ epochs: 1, backend: 'cpu', model: { type: 'mlp', hidden: [3], activation: 'tanh' } }),
    );
    const out = join(dir, 'from-config');
    const r = cli(['export', config, '--data', PENGUINS, '--to', 'onnx', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mlp with \d+ parameters, 10 inputs -> 3 outputs \(softmax-logits\)/);
    const pre = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')) as Preprocessing & { model: unknown };
    expect(pre.model).toEqual({ type: 'mlp', hidden: [3], activation: 'tanh' });
    // Streamed, its rows could not fill a PyTorch bundle's data.npz: refused before it trains.
    const streamed = join(dir, 'from-config-streamed');
    const s = cli(['export', config, '--data', PENGUINS, '--stream', '--to', 'pytorch', '--out', streamed]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^export: --stream: a run trained streaming has no rows a PyTorch bundle's data\.npz/);
    expect(s.stderr).not.toMatch(/epoch 1/);
  }, 60_000);

  it('answers --help', () => {
    const r = cli(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--to onnx/);
  });
});
