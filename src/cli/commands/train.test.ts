import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord, StepRecord } from '../../core/train/record';
import { swiftShaderEnv } from '../../gpu/node-webgpu';
import { dataWaitShare, downsample } from '../../core/train/step-series';
import { MAX_RECORD_STEPS, rmseUnit } from './train';

const FLIGHTS = 'node_modules/vega-datasets/data/flights-200k.arrow';
const MNIST = 'public/datasets/mnist-2k.arrow';
const PENGUINS = 'public/datasets/penguins.arrow';
const dir = mkdtempSync(join(tmpdir(), 'tb-train-'));
const FLIGHTS_DELAY_STD = (() => {
  const delay = [...tableFromIPC(readFileSync(FLIGHTS)).getChild('delay')!].map(Number);
  const m = delay.reduce((a, b) => a + b, 0) / delay.length;
  return Math.sqrt(delay.reduce((a, b) => a + (b - m) ** 2, 0) / delay.length);
})();

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function record(args: string[], env?: Record<string, string>): RunRecord {
  const r = cli([...args, '--json'], env);
  expect(r.stderr.split('\n').filter((l) => !l.startsWith('epoch '))).toEqual(['']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RunRecord;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean loss of the first and the last quarter of the steps. */
function ends(steps: StepRecord[]) {
  const q = Math.max(3, steps.length >> 2);
  return { head: mean(steps.slice(0, q).map((s) => s.loss)), tail: mean(steps.slice(-q).map((s) => s.loss)) };
}

let configs = 0;
/** A config file holding `settings`. */
function configFile(settings: Record<string, unknown>): string {
  const path = join(dir, `config-${++configs}.json`);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

const badJson = join(dir, 'bad.json');
writeFileSync(badJson, '{\n "epochs": 1,,\n}');

/** A CNN small enough for tfjs-cpu and SwiftShader (their convolution gradients are slow). */
const smallCnn = join(dir, 'small-cnn.json');
writeFileSync(
  smallCnn,
  JSON.stringify({
    model: { type: 'cnn', inputShape: [28, 28, 1], filters: [4, 8], hidden: [], activation: 'relu' },
    optimizer: { name: 'adam', learningRate: 0.01 },
    batchSize: 16,
    epochs: 1,
    maxSteps: 12,
  }),
);

function checkFlights(rec: RunRecord, backend: string) {
  expect(rec.version).toBe(1);
  expect(rec.environment.backend).toBe(backend);
  expect(rec.config.data).toMatchObject({
    name: 'flights-200k.arrow',
    rows: 200_000,
    label: 'delay',
    features: ['distance', 'time'],
  });
  expect(rec.config.data.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  // Delay is barely predictable from distance and time: predicting the mean gives a loss of
  // about 1 (the target is standardised). The loss falls from the first steps' to below that.
  const first = mean(rec.steps.slice(0, 10).map((s) => s.loss));
  const val = rec.epochs[rec.epochs.length - 1].valLoss!;
  expect(val).toBeLessThan(first);
  expect(val).toBeLessThan(0.97);
  expect(rec.epochs[0].valAccuracy).toBeNull();
  expect(rec.summary.finalValMetric).toBe(rec.epochs[rec.epochs.length - 1].valLoss);
  expect(rec.summary.medianSamplesPerSec).toBeGreaterThan(0);
  // The RMSE in minutes of delay: sqrt(loss) times the training split's deviation, which is within
  // 2 % of the deviation of all 200,000 delays (read here with apache-arrow, in float64).
  for (const e of rec.epochs) {
    expect(e.valRmse! / Math.sqrt(e.valLoss!) / FLIGHTS_DELAY_STD).toBeGreaterThan(0.98);
    expect(e.valRmse! / Math.sqrt(e.valLoss!) / FLIGHTS_DELAY_STD).toBeLessThan(1.02);
  }
}

function checkMnist(rec: RunRecord, backend: string) {
  expect(rec.environment.backend).toBe(backend);
  expect(rec.config.model).toMatchObject({ type: 'cnn', inputShape: [28, 28, 1] });
  expect(rec.steps).toHaveLength(12);
  const { head, tail } = ends(rec.steps);
  expect(head).toBeGreaterThan(1.8); // about ln 10 at the start
  expect(tail).toBeLessThan(head * 0.9);
  // 12 steps of 16 images: well above the 10 % of guessing.
  expect(rec.summary.finalValMetric!).toBeGreaterThan(0.25);
  expect(rec.summary.status).toBe('done');
  expect(rec.epochs[0]).not.toHaveProperty('valRmse');
}

describe('cli train on tfjs-cpu', () => {
  it('regresses flights-200k delay: the loss falls and the trainer hardly waits for data', () => {
    const rec = record([
      '--data',
      FLIGHTS,
      '--label',
      'delay',
      '--backend',
      'cpu',
      '--epochs',
      '1',
      '--batch',
      '512',
      '--target-loss',
      '1.05',
    ]);
    checkFlights(rec, 'cpu');
    expect(rec.steps).toHaveLength(Math.ceil(160_000 / 512));
    expect(rec.summary.timeToTargetLoss).toBeGreaterThan(0);
    // Once running (after the prefetch queue filled), data wait stays under 5 % of the wall time.
    expect(dataWaitShare(rec.steps, 10)!).toBeLessThan(0.05);
    expect(rec.steps.every((s) => s.gpuMs === null)).toBe(true);
    const mem = rec.steps.filter((s) => s.memory).map((s) => s.memory!.tensors);
    expect(mem.length).toBeGreaterThan(0);
    expect(new Set(mem.slice(1)).size).toBe(1);
  });

  it('--features trains on those columns alone; with no default feature, the refusal says why for each column', () => {
    const features = ['Island', 'Flipper Length (mm)'];
    const rec = record([
      '--data',
      PENGUINS,
      '--backend',
      'cpu',
      '--epochs',
      '1',
      '--features',
      ' Island,Flipper Length (mm)',
    ]);
    expect(rec.config.data.features).toEqual(features);
    expect(rec.trained!.preprocessing.inputs.map((i) => i.column)).toEqual(features);
    // A count per user, the user's name unique per row (an identifier).
    const users = join(dir, 'users.csv');
    writeFileSync(users, `user,count\n${Array.from({ length: 200 }, (_, i) => `user-${i},${i % 7}`).join('\n')}\n`);
    const r = cli(['--data', users, '--label', 'count', '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^train: data\.features: no column of .*users\.csv is a feature by default besides the label "count": "user" \(categorical with 200 distinct values in 200 rows, read as an identifier\); name the features with --features/m,
    );
  });

  it('the default batch on a file of fewer training rows takes them all per step, said on stderr; a batch given is refused', () => {
    const small = join(dir, 'small.csv');
    writeFileSync(small, `a,b,c\n${Array.from({ length: 25 }, (_, i) => `${i},${(i * i) % 7},${i % 2}`).join('\n')}\n`);
    const base = ['--data', small, '--label', 'c', '--backend', 'cpu', '--epochs', '3'];
    // The training rows, as a batch given and refused counts them.
    const refused = cli([...base, '--batch', '32']);
    expect(refused.code).toBe(1);
    const rows = Number(/larger than the (\d+) training rows of small\.csv/.exec(refused.stderr)?.[1]);
    expect(rows).toBeGreaterThanOrEqual(15);
    expect(rows).toBeLessThan(25);
    // So is batchSize from a config file: only the default is fitted.
    expect(cli([...base, '--config', configFile({ batchSize: 32 })]).stderr).toMatch(
      /^train: batchSize: batch size 32/,
    );
    const r = cli([...base, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `batch ${rows}: the default batch of 32 is more than the ${rows} training rows of small.csv, so each step takes all of them`,
    );
    // Said before training, not after: the first line on stderr, the epoch lines after it.
    expect(r.stderr.split('\n')[0]).toMatch(/^batch \d+: the default batch/);
    expect(r.stderr.split('\n')[1]).toMatch(/^epoch 1\/3: /);
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec.config.batchSize).toBe(rows);
    // One step per epoch: every training row in each.
    expect(rec.steps.map((s) => s.epoch)).toEqual([0, 1, 2]);
    expect(rec.summary.status).toBe('done');
    // Streamed, the file is one piece: counted before the first batch (by file position, so its
    // own count), refused when given and fitted by default, as loaded whole.
    const streamed = [...base, '--stream', '--features', 'a'];
    const given = cli([...streamed, '--batch', '32']);
    expect(given.code).toBe(1);
    const inStream = Number(
      /^train: batchSize: batch size 32 is larger than the (\d+) training rows of small\.csv/.exec(given.stderr)?.[1],
    );
    expect(inStream).toBeGreaterThanOrEqual(15);
    expect(inStream).toBeLessThan(25);
    const fitted = cli(streamed);
    expect(fitted.code, fitted.stderr).toBe(0);
    expect(fitted.stderr).toContain(
      `batch ${inStream}: the default batch of 32 is more than the ${inStream} training rows`,
    );
    expect(fitted.stdout).toContain(`small.csv: ${inStream} training rows, 1 feature, label "c"`);
    expect(fitted.stdout).toContain(`batch ${inStream} · 3 epochs`);
    expect(fitted.stdout).toContain('status done · 3 steps · ');
    expect(fitted.stdout).toContain('streamed from memory piece by piece');
  });

  it('records the engine and precision asked for, from flags or the config file', () => {
    const short = ['--data', FLIGHTS, '--label', 'delay', '--backend', 'cpu', '--batch', '512', '--max-steps', '3'];
    const rec = record([...short, '--engine', 'tfjs', '--precision', 'fp32']);
    expect(rec.config).toMatchObject({ engine: 'tfjs', precision: 'fp32', backend: 'cpu' });
    expect(rec.summary).not.toHaveProperty('lossScale');
    const fromFile = record([...short, '--config', configFile({ engine: 'tfjs', precision: 'fp32' })]);
    expect(fromFile.config).toMatchObject({ engine: 'tfjs', precision: 'fp32' });
  });

  it("completes a config file's partial model and optimizer as the flags do; what is given is still checked", () => {
    const short = ['--data', PENGUINS, '--backend', 'cpu', '--max-steps', '1'];
    // The reference: the same choices made with flags, which start from the model type's defaults.
    const cases: [Record<string, unknown>, string[]][] = [
      [
        { model: { type: 'mlp', hidden: [16] }, optimizer: { name: 'sgd' } },
        ['--model', 'mlp', '--hidden', '16', '--optimizer', 'sgd'],
      ],
      [{ model: { hidden: [8, 4] }, optimizer: { learningRate: 0.05 } }, ['--hidden', '8,4', '--lr', '0.05']],
      [{ model: { type: 'dscnn', inputShape: [1, 1, 10] } }, ['--model', 'dscnn', '--input-shape', '1x1x10']],
    ];
    for (const [settings, flags] of cases) {
      const fromFile = record([...short, '--config', configFile(settings)]);
      const fromFlags = record([...short, ...flags]);
      expect(fromFile.config.model, JSON.stringify(settings)).toEqual(fromFlags.config.model);
      expect(fromFile.config.optimizer, JSON.stringify(settings)).toEqual(fromFlags.config.optimizer);
    }
    // A value given is checked as given, naming the key.
    for (const [settings, why] of [
      [{ model: { type: 'mlp', activation: 'swish' } }, /^train: model\.activation: "swish" is unknown/],
      [{ model: { type: 'mlp', filters: [3] } }, /^train: model\.filters: is not a setting of the mlp model/],
      [
        { optimizer: { name: 'sgd', learningRate: null } },
        /^train: optimizer\.learningRate: must be a finite number > 0, got null$/,
      ],
      [
        { optimizer: { name: 'sgd', learningRate: 0 } },
        /^train: optimizer\.learningRate: must be a finite number > 0, got 0$/,
      ],
    ] as const) {
      const r = cli([...short, '--config', configFile(settings)]);
      expect(r.code, JSON.stringify(settings)).toBe(1);
      expect(r.stderr.trim(), JSON.stringify(settings)).toMatch(why);
    }
  });

  it('learns MNIST digits with the CNN', () => {
    checkMnist(record(['--data', MNIST, '--config', smallCnn, '--backend', 'cpu']), 'cpu');
  });

  it('a numeric label of digits 0-9 trains as 10 classes; --task regression regresses it', () => {
    // Each row's label is its digit, written as a number (as Kaggle's MNIST CSV has it).
    const mnist = readFileSync(MNIST);
    const t = tableFromIPC(mnist);
    const digits = [...t.getChild('digit')!].map(String);
    const pixels = Array.from({ length: 784 }, (_, p) => [...t.getChild(`p${p}`)!] as number[]);
    const rows = 400;
    const lines = ['label,' + pixels.map((_, p) => `pixel${p}`).join(',')];
    for (let r = 0; r < rows; r++) lines.push(`${digits[r]},${pixels.map((c) => c[r]).join(',')}`);
    const csv = join(dir, 'mnist-numbers.csv');
    writeFileSync(csv, lines.join('\n') + '\n');
    const classes = record(['--data', csv, '--backend', 'cpu', '--epochs', '2']);
    expect(classes.config.data).not.toHaveProperty('task');
    expect(classes.trained!.preprocessing.task).toBe('classification');
    expect(classes.trained!.preprocessing.classes).toEqual([...new Set(digits.slice(0, rows))].sort());
    expect(classes.epochs[1].valAccuracy).toBeGreaterThan(0.3);
    const regression = record(['--data', csv, '--backend', 'cpu', '--epochs', '1', '--task', 'regression']);
    expect(regression.config.data.task).toBe('regression');
    expect(regression.trained!.preprocessing.task).toBe('regression');
    expect(regression.epochs[0].valAccuracy).toBeNull();
    expect(regression.epochs[0].valRmse).toBeGreaterThan(0);
  });

  it("the summary names the label's class count (a label of car names: nearly one class per row)", () => {
    const cars = 'node_modules/vega-datasets/data/cars.json';
    const rows = JSON.parse(readFileSync(cars, 'utf8')) as { Name: string | null }[];
    const names = new Set(rows.map((r) => r.Name).filter((n) => n !== null && n !== ''));
    // Every other column is a feature: one input each, but Origin's categories one-hot.
    const columns = Object.keys(rows[0]).length;
    const origins = new Set(rows.map((r) => (r as unknown as { Origin: string }).Origin));
    const r = cli(['--data', cars, '--label', 'Name', '--backend', 'cpu', '--epochs', '1']);
    expect(r.code).toBe(0);
    // One epoch is said in the singular, as the record holds it.
    expect(r.stdout).toMatch(/ · batch \d+ · 1 epoch on /);
    expect(r.stdout).toMatch(
      new RegExp(
        `^cars\\.json: \\d+ training rows, ${columns - 1} features \\(${columns - 2 + origins.size} inputs once encoded\\), ` +
          `label "Name" \\(classification, ${names.size} classes\\)$`,
        'm',
      ),
    );
    const regression = cli([
      '--data',
      cars,
      '--label',
      'Horsepower',
      '--task',
      'regression',
      '--backend',
      'cpu',
      '--epochs',
      '1',
    ]);
    expect(regression.code).toBe(0);
    expect(regression.stdout).toMatch(
      /^cars\.json: \d+ training rows, \d+ features(?: \(\d+ inputs once encoded\))?, label "Horsepower" \(regression\)$/m,
    );
  });

  it('a run that diverges prints its record as failed, says why on stderr, and exits 1', () => {
    const r = cli(['--data', PENGUINS, '--backend', 'cpu', '--lr', '1e30', '--epochs', '4', '--json']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('epoch '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^train: penguins\.arrow: the run diverged: the training loss was (NaN|-?Infinity) from step \d+/,
    );
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec.summary).toMatchObject({ status: 'failed', finalValMetric: null });
    expect(`train: penguins.arrow: ${rec.summary.error}`).toBe(lines[0]);
    expect(rec.steps.some((s) => !Number.isFinite(s.loss ?? NaN))).toBe(true);
    // No trained weights to export from a model that is not numbers.
    expect(rec).not.toHaveProperty('trained');
  });

  it('refuses bad configurations before training, with exit 1 and one line naming the field', () => {
    const cases: [string[], RegExp][] = [
      [['--lr', '-0.1'], /^train: optimizer\.learningRate: /],
      [['--batch', '5000'], /^train: batchSize: batch size 5000 is larger than the \d+ training rows/],
      [['--label', 'nope'], /^train: data\.label: "nope" is not a column of /],
      [['--optimizer', 'adamax'], /^train: optimizer\.name: "adamax" is unknown/],
      [
        ['--model', 'cnn', '--input-shape', '28x28x3'],
        /^train: model\.inputShape: 28x28x3 is 2352 values per row, but the data has 784 feature values per row/,
      ],
      [['--epochs', '0'], /^train: epochs: /],
      // Number('') is 0 and Number('x') NaN: said as what was typed, not as a width of 0 or null.
      [['--hidden', '8,,8'], /^train: model\.hidden: --hidden holds an empty entry \("8,,8"\)/],
      [['--hidden', '8,x'], /^train: model\.hidden: --hidden holds "x", not a number \("8,x"\)/],
      [['--precision', 'fp16-mixed', '--engine', 'tfjs'], /^train: precision: fp16-mixed runs on the wgsl engine only/],
      [['--engine', 'warp'], /^train: engine: "warp" is unknown \(choose one of tfjs, wgsl\)/],
      [['--precision', 'fp8'], /^train: precision: "fp8" is unknown \(choose one of fp32, fp16-mixed\)/],
      [['--config', configFile({ engine: 'warp' })], /^train: engine: "warp" is unknown/],
      // The config file's precision is read, not dropped: fp16-mixed with the default tfjs engine is refused.
      [
        ['--config', configFile({ precision: 'fp16-mixed' })],
        /^train: precision: fp16-mixed runs on the wgsl engine only/,
      ],
      // A key train would not read is refused, not dropped.
      [
        ['--config', configFile({ data: { label: 'label', labl: 'x' } })],
        /^train: data\.labl: is not a setting train reads/,
      ],
      [
        ['--config', configFile({ split: { train: 0.8, val: 0.1, test: 0.1, sed: 2 } })],
        /^train: split\.sed: is not a split setting/,
      ],
      [
        ['--config', configFile({ pruning: { targetSparsity: 0.5, startStep: 0, endStep: 9, evry: 3 } })],
        /^train: pruning\.evry: is not a pruning setting/,
      ],
      [
        ['--config', configFile({ model: { type: 'mlp', hidden: [8], activation: 'relu', dropot: 0.1 } })],
        /^train: model\.dropot: is not a setting of the mlp model \(it takes type, hidden, activation\)/,
      ],
      [
        ['--config', configFile({ model: { type: 'mlp', hiden: [8] } })],
        /^train: model\.hiden: is not a setting of the mlp model \(did you mean "hidden"\?; it takes type, hidden, activation\)/,
      ],
      // A loss is never below 0: such a target could never be reached.
      [
        ['--target-loss', '-1'],
        /^train: targetLoss: must be a number of at least 0 \(a loss is never below 0\), got -1$/m,
      ],
      [
        ['--config', configFile({ targetLoss: -0.5 })],
        /^train: targetLoss: must be a number of at least 0 .*, got -0\.5$/m,
      ],
      // A model or optimizer that is not an object, said as such (a word's letters read as fields).
      [
        ['--config', configFile({ optimizer: 'adam' })],
        /^train: optimizer: must be an object like \{"name": "adam", "learningRate": 0\.01\}, got "adam"$/m,
      ],
      [
        ['--config', configFile({ model: null })],
        /^train: model: must be an object like \{"type": "mlp", "hidden": \[64\]\}, got null$/m,
      ],
      [['--config', configFile({ model: ['mlp'] })], /^train: model: must be an object like .*, got \["mlp"\]$/m],
      // Another library's names: said as the setting they likely mean.
      [
        ['--config', configFile({ batch_size: 16 })],
        /^train: batch_size: is not a setting train knows \(did you mean "batchSize"\?; model, optimizer, /,
      ],
      [
        ['--config', configFile({ lr: 0.1 })],
        /^train: lr: is not a setting train knows \(did you mean "optimizer\.learningRate"\?; model, /,
      ],
      [
        ['--config', configFile({ optimizer: { name: 'sgd', lr: 0.1 } })],
        /^train: optimizer\.lr: unknown field; did you mean "learningRate"\?; known fields: name, learningRate, /,
      ],
      [
        ['--config', configFile({ engine: 'wgsl', prepareOn: 'gpu', augment: { pad: 2, flip: true, rotate: 10 } })],
        /^train: augment\.rotate: is not an augmentation setting \(it takes pad, flip\)/,
      ],
      [
        ['--config', configFile({ distill: { teacher: 't.json', temperature: 2, alpha: 0.5, temprature: 4 } })],
        /^train: distill\.temprature: is not a distillation setting \(did you mean "temperature"\?; it takes teacher, temperature, alpha\)/,
      ],
      // MNIST's label is categorical: regression of it cannot be honoured.
      [
        ['--task', 'regression'],
        /^train: data\.task: regression needs a numeric label; "digit" of mnist-2k\.arrow is categorical$/m,
      ],
      [
        ['--config', configFile({ data: { task: 'regression' } })],
        /^train: data\.task: regression needs a numeric label/,
      ],
      [['--task', 'classes'], /^train: data\.task: must be classification or regression .*got "classes"$/m],
      // --features as given: no empty name, none twice, not the label, each a column.
      [['--features', 'p1,,p2'], /^train: data\.features: holds an empty name/],
      [['--features', 'p1,p2,p1'], /^train: data\.features: names "p1" twice$/m],
      [['--features', 'p1,digit'], /^train: data\.features: holds the label "digit"/],
      [
        ['--features', 'p1,q1'],
        /^train: data\.features: "q1" is not a column of .*\(did you mean "p1"\?; columns: .*, \.\.\. \(\d+ in all\)\)$/m,
      ],
      [['--label', 'Digit'], /^train: data\.label: "Digit" is not a column of .*\(did you mean "digit"\?; columns: /],
      [['--config', configFile({ data: { features: 'p1,p2' } })], /^train: data\.features: must be a list of column/],
      // Where the JSON goes wrong, in lines and columns, without V8's text.
      [['--config', badJson], /^train: config: .*bad\.json is not JSON \(a mistake at line 2, column 14\)$/m],
    ];
    for (const [args, message] of cases) {
      const r = cli(['--data', MNIST, '--backend', 'cpu', ...args, '--json']);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^epoch /m);
    }
    expect(cli([]).code).toBe(2);
  }, 120_000);

  it('down-samples long step series and measures data wait from a given step', () => {
    const steps = Array.from({ length: 2500 }, (_, i): StepRecord => ({
      step: i,
      epoch: 0,
      time: i / 100,
      loss: 1,
      samplesPerSec: 1,
      dataWaitMs: i < 5 ? 100 : 0.1,
      gpuMs: null,
      readbackMs: 0,
    }));
    const kept = downsample(steps, MAX_RECORD_STEPS);
    expect(kept.length).toBeLessThanOrEqual(1000);
    expect(kept[0].step).toBe(0);
    expect(kept[kept.length - 1].step).toBe(2499);
    expect(new Set(kept.map((s) => s.step % 3))).toEqual(new Set([0, 2499 % 3]));
    expect(dataWaitShare(steps, 10)).toBeCloseTo(0.01, 3);
  });
});

/**
 * Dawn with SwiftShader, where the machine has Chromium's Vulkan driver; skipped with the reason where no adapter comes
 * up.
 */
const dawnEnv = swiftShaderEnv();
const probe = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "import { create, globals } from 'webgpu'; Object.assign(globalThis, globals); const a = await " +
      "create([]).requestAdapter(); console.log(a ? 'ok' : 'none');",
  ],
  { encoding: 'utf8', env: { ...process.env, ...dawnEnv }, timeout: 60_000 },
);
const dawnReason =
  probe.stdout.trim() === 'ok'
    ? null
    : `Dawn found no ` +
      `WebGPU adapter (${probe.stdout.trim() || probe.stderr.trim().split('\n')[0] || `exit ${probe.status}`})`;
if (dawnReason) console.warn(`skipping the Dawn train tests: ${dawnReason}`);

describe.skipIf(dawnReason !== null)('cli train on Dawn (WebGPU in Node)', () => {
  it('regresses flights-200k delay on webgpu', () => {
    const rec = record(
      [
        '--data',
        FLIGHTS,
        '--label',
        'delay',
        '--backend',
        'webgpu',
        '--batch',
        '512',
        '--max-steps',
        '11',
        '--lr',
        '0.02',
      ],
      dawnEnv,
    );
    checkFlights(rec, 'webgpu');
    expect(rec.environment.runtime).toMatch(/^node \d+ \+ dawn$/);
    expect(rec.environment.adapter).not.toBeNull();
    // GPU time is sampled every 10th step where the adapter has timestamp queries.
    if (rec.environment.features.includes('timestamp-query')) {
      expect(rec.steps[10].gpuMs).toBeGreaterThan(0);
      expect(rec.steps.filter((s) => s.gpuMs !== null).map((s) => s.step)).toEqual([10]);
    }
    expect(rec.steps.some((s) => s.memory?.gpuBytes)).toBe(true);
  }, 180_000);

  it('refuses the wgsl engine where no WebGPU adapter exists, rather than training tfjs under its name', () => {
    // A Vulkan loader pointed at no driver: Dawn finds no adapter, whatever this machine has.
    const noGpu = { VK_ICD_FILENAMES: join(dir, 'no-driver.json'), LD_LIBRARY_PATH: '' };
    for (const precision of ['fp32', 'fp16-mixed']) {
      const r = cli(['--data', PENGUINS, '--engine', 'wgsl', '--precision', precision, '--epochs', '1'], noGpu);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const why =
        precision === 'fp32' ? 'the wgsl engine needs WebGPU, which' : 'fp16-mixed needs the wgsl engine, which';
      expect(r.stderr).toMatch(
        new RegExp(
          `^train: engine: ${why} cannot run here: no WebGPU adapter \\(requestAdapter returned null\\); ` +
            `train ${precision === 'fp32' ? '' : 'fp32 '}on the tfjs engine \\(on (wasm|cpu)\\) instead$`,
          'm',
        ),
      );
      // Nothing trained: no epoch line, no run record.
      expect(r.stderr).not.toMatch(/^epoch /m);
    }
    // The same file and settings on the tfjs engine train there.
    const ok = cli(['--data', PENGUINS, '--epochs', '1', '--json', '--quiet'], noGpu);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as RunRecord).config.engine).toBe('tfjs');
  }, 180_000);

  it('records a wgsl fp16-mixed run: its engine, precision, loss scale and the adapter it ran on', () => {
    const rec = record(
      [
        '--data',
        FLIGHTS,
        '--label',
        'delay',
        '--backend',
        'cpu',
        '--engine',
        'wgsl',
        '--precision',
        'fp16-mixed',
        '--batch',
        '512',
        '--max-steps',
        '5',
      ],
      dawnEnv,
    );
    expect(rec.config).toMatchObject({ engine: 'wgsl', precision: 'fp16-mixed' });
    expect(rec.environment).toMatchObject({ backend: 'webgpu', fallbackReason: null });
    expect(rec.environment.runtime).toMatch(/\+ dawn$/);
    expect(['native', 'packed']).toContain(rec.environment.f16Path);
    expect(rec.summary.lossScale).toBeGreaterThan(0);
    expect(Number.isInteger(rec.summary.skippedSteps)).toBe(true);
    expect(rec.steps).toHaveLength(5);
  }, 180_000);

  it('learns MNIST digits with the CNN on webgpu', () => {
    checkMnist(record(['--data', MNIST, '--config', smallCnn, '--backend', 'webgpu'], dawnEnv), 'webgpu');
  }, 180_000);

  it('learns MNIST digits with the CNN on the wgsl engine, in fp32 and fp16-mixed', () => {
    for (const precision of ['fp32', 'fp16-mixed']) {
      const rec = record(
        ['--data', MNIST, '--config', smallCnn, '--engine', 'wgsl', '--precision', precision],
        dawnEnv,
      );
      expect(rec.config).toMatchObject({ engine: 'wgsl', precision });
      checkMnist(rec, 'webgpu');
    }
  }, 240_000);
});

describe('the unit of a regression RMSE', () => {
  it('is days for a date label and milliseconds, with days or hours beside, for a timestamp label', () => {
    const day = Date.UTC(2020, 0, 2) - Date.UTC(2020, 0, 1);
    expect(rmseUnit('timestamp', 'date', 99.5 * day)).toBe('RMSE in milliseconds of "date": 99.5 days');
    expect(rmseUnit('timestamp', 't', (day / 24) * 5)).toBe('RMSE in milliseconds of "t": 5.00 hours');
    expect(rmseUnit('timestamp', 't', 2000)).toBe('RMSE in milliseconds of "t"');
    expect(rmseUnit('date', 'd', 389.3)).toBe('RMSE in days of "d"');
    expect(rmseUnit('float', 'y', 3)).toBe('RMSE in units of "y"');
  });
});
