/**
 * Child process of the share-link fuzz test: opens seeded hostile links with the workbench's own
 * unpacker (`unpackPayload`: base64url, deflate-raw, shape scan, JSON, validation) and prints
 * one JSON line per case, `{ i, kind, expect, outcome, message, check, ms }`, so the parent can
 * tell a hang (the child is stopped; its last line names the case before) from an error.
 *
 * The links are mutations of real links made by the encoder (`makePayload` + `packPayload`):
 * characters changed, cuts, chunks inserted and removed, long runs of '=', bit flips in the
 * deflated bytes, and changes to the JSON (hostile values at random places, unknown and
 * `__proto__` keys, 1e999, negative counts, deep nesting, huge lists, deflate bombs, bad dataset
 * addresses, duplicate runs). `expect` says what the case must do: `refuse`, `accept` or `any`.
 * For every accepted link, `check` is the verdict of a schema check written here, apart from the
 * decoder: the keys of every object, finite numbers (NaN only for measurements), counts, text
 * limits, fresh plain objects, a dataset address that stays on the page's origin unless written
 * out in full, and a re-encode/decode round trip that gives the same payload.
 *   node --import tsx src/state/fuzz/share-fuzz-child.ts SEED CASES [CASE-TO-DUMP]
 */
import { deflateRawSync } from 'node:zlib';
import { Rng } from '../../core/data/rng';
import { ShareLinkError, makePayload, type SharePayload } from '../../core/share/link';
import { encodeRun, type StoredRun } from '../../core/share/run-codec';
import type { SearchRecord } from '../../core/share/search-codec';
import { SweepDriver, type SweepSpec } from '../../core/tune/driver';
import { configKey } from '../../core/train/results';
import { DEFAULT_SETTINGS, makeRunConfig, validateSettings, type RunSettings } from '../../core/train/run-config';
import { packPayload, unpackPayload } from '../share-pack';

const [seed, cases] = process.argv.slice(2, 4).map(Number);
const dump = process.argv[4] === undefined ? null : Number(process.argv[4]);
const rng = new Rng(seed);
const PAGE = 'https://workbench.example';

// ---------------------------------------------------------------- real links, made by the encoder

function stored(
  id: string,
  settings: Partial<RunSettings>,
  opts: {
    steps?: number;
    features?: number;
    status?: 'done' | 'failed';
    diverged?: boolean;
    extras?: boolean;
    meta?: object;
  } = {},
): StoredRun {
  const s = validateSettings({ ...DEFAULT_SETTINGS, ...settings });
  const features = Array.from({ length: opts.features ?? 4 }, (_, i) => `f${i}`);
  const config = {
    ...makeRunConfig(s, {
      fingerprint: 'ab'.repeat(32),
      name: 'penguins.arrow',
      rows: 344,
      label: 'species',
      features,
      dedup: s.dedup ?? 'none',
      split: { train: 0.8, val: 0.1, test: 0.1, seed: s.seed },
      ...(opts.extras ? { where: `f0 > 3 and (species in ('Adelie', 'O''Hare') or not f1 is null)` } : {}),
    }),
    ...(opts.extras
      ? {
          targetLoss: 0.4,
          maxSteps: 500,
          pruning: { targetSparsity: 0.9, startStep: 10, endStep: 100, every: 5 },
          distill: { teacher: 'run-teacher-1', temperature: 4, alpha: 0.5 },
        }
      : {}),
  };
  const n = opts.steps ?? 30;
  return encodeRun(
    {
      id,
      config,
      environment: {
        runtime: 'chrome 140',
        adapter: { vendor: 'nvidia', architecture: 'hopper' },
        features: ['shader-f16', 'timestamp-query'],
        f16Path: s.precision === 'fp16-mixed' ? 'native' : 'none',
        backend: s.backend,
        fallbackReason: opts.extras ? 'webgpu: no adapter;\nfell back' : null,
      },
      status: opts.status ?? 'done',
      steps: Array.from({ length: n }, (_, i) => ({
        step: i,
        epoch: Math.floor(i / 10),
        time: i / 50,
        loss: opts.diverged && i > n / 2 ? NaN : 1 / (i + 1),
        samplesPerSec: 4000 + i,
        dataWaitMs: 0.2,
        gpuMs: i % 3 ? null : 0.5,
        readbackMs: i % 10 === 9 ? 1.5 : 0,
        ...(i % 10 === 9 ? { memory: { tensors: 40, bytes: 123_456, gpuBytes: i % 20 === 19 ? null : 654_321 } } : {}),
      })),
      epochs: Array.from({ length: Math.ceil(n / 10) }, (_, e) => ({
        epoch: e,
        trainLoss: 1 / (e + 2),
        valLoss: e % 2 ? null : 0.5,
        valAccuracy: e % 2 ? null : 0.8,
      })),
      summary:
        opts.status === 'failed'
          ? null
          : {
              status: 'done',
              medianSamplesPerSec: opts.diverged ? NaN : 4100,
              timeToTargetLoss: opts.extras ? 0.3 : null,
              finalValMetric: 0.8,
              ...(opts.extras
                ? {
                    samplesPerSec: 3900,
                    sparsity: 0.9,
                    nonZeroParameters: 123,
                    misclassified: [
                      { index: 3, predicted: 1 },
                      { index: 9, predicted: 0 },
                    ],
                  }
                : {}),
              ...(s.precision === 'fp16-mixed' ? { lossScale: 32768, skippedSteps: 2 } : {}),
            },
      error: opts.status === 'failed' ? 'the trainer stopped:\n\tout of memory' : null,
      info: opts.extras ? '275 training rows' : null,
    },
    {
      title: `${id} · seed ${s.seed}`,
      colour: Number(id.replace(/\D/g, '')) || 0,
      createdAt: 1_700_000_000_000,
      finishedAt: 1_700_000_060_000,
      budgetSec: null,
      sweep: null,
      ...opts.meta,
    },
  );
}

/** A finished search (TPE under halving, two objectives) as the workbench shares one, from `config`. */
function search(config: StoredRun['config']): SearchRecord {
  const spec: SweepSpec = {
    sampler: 'tpe',
    scheduler: 'halving',
    trials: 6,
    objective: ['valMetric', 'parameters'],
    space: {
      'optimizer.learningRate': { type: 'log', min: 0.0003, max: 0.3 },
      batchSize: { type: 'int', min: 8, max: 128 },
      'optimizer.name': { type: 'choice', values: ['sgd', 'adam'] },
      'model.depth': { type: 'choice', values: [1, 2, 3] },
    },
    maxBudget: 12,
    eta: 2,
    seed: 9,
  };
  const driver = new SweepDriver(spec, false, true);
  const extra: { second: number; steps: number; runId: string | null; error?: string }[] = [];
  for (let t = driver.next(); t !== null; t = driver.next()) {
    const failed = t.trial === 2;
    driver.report(t.trial, failed ? null : 0.5 + 0.05 * (t.trial % 7), 1000 + t.trial);
    extra.push({
      second: 1000 + t.trial,
      steps: failed ? 3 : t.budget,
      runId: `run-t${t.trial}`,
      ...(failed ? { error: 'batch size 128 is larger than\nthe training rows' } : {}),
    });
  }
  return {
    id: 'search-abc',
    spec: driver.spec,
    config,
    targetLoss: 0.4,
    minimise: false,
    minimiseSecond: true,
    status: 'done',
    spentSec: 12.5,
    stoppedByBudget: false,
    trials: driver
      .trials()
      .map((t) => ({ ...t, ...extra[t.trial], second: t.objective === null ? null : extra[t.trial].second })),
  };
}

function payloads(): SharePayload[] {
  const dataset = { name: 'penguins.arrow', rows: 344, fingerprint: 'ab'.repeat(32), url: '/datasets/penguins.arrow' };
  const a = stored('run-1', { seed: 1 });
  const b = stored(
    'run-2',
    {
      seed: 2,
      optimizer: {
        name: 'momentum',
        learningRate: 0.05,
        momentum: 0.8,
        schedule: { type: 'cosine', totalSteps: 300, warmupSteps: 10, minLearningRate: 0.001 },
        lookahead: { k: 5, alpha: 0.5 },
        clipNorm: 1,
      },
    },
    {
      extras: true,
      meta: { sweep: { id: 'sweep-1', rung: 2, key: '{"k":1}' }, origin: 'nvidia hopper (shared 2026-11-30)' },
    },
  );
  const mixed = stored(
    'run-3',
    {
      seed: 3,
      engine: 'wgsl',
      precision: 'fp16-mixed',
      optimizer: { name: 'adamw', learningRate: 0.001, schedule: { type: 'step', stepSize: 100, gamma: 0.5 } },
    },
    { meta: { budgetSec: 30 } },
  );
  const cnn = stored(
    'run-4',
    {
      seed: 4,
      model: { type: 'cnn', inputShape: [8, 8, 1], filters: [4, 8], hidden: [16], activation: 'tanh' },
      backend: 'cpu',
    },
    { features: 64 },
  );
  const dscnn = stored(
    'run-5',
    {
      seed: 5,
      model: {
        type: 'dscnn',
        stem: 4,
        blocks: [
          { filters: 8, stride: 2 },
          { filters: 8, stride: 1 },
        ],
        hidden: [],
        activation: 'relu',
      },
      backend: 'wasm',
    },
    { features: 64, diverged: true },
  );
  const failed = stored('run-6', { seed: 6, dedup: 'bloom' }, { status: 'failed', steps: 3 });
  const long = stored('run-7', { seed: 7, batchSize: 64, epochs: 50 }, { steps: 2000 });
  return [
    makePayload([a, b], dataset, configKey(a.config), 1_700_000_100_000),
    makePayload([mixed, cnn, dscnn, failed], null, null, 1_700_000_100_000),
    makePayload(
      [long, a],
      { ...dataset, url: 'https://data.example/penguins.arrow' },
      null,
      1_700_000_100_000,
      search(a.config),
    ),
    makePayload(
      [b],
      { ...dataset, url: null },
      configKey(b.config, null, 'nvidia hopper (shared 2026-11-30)'),
      1_700_000_100_000,
    ),
  ];
}

// ---------------------------------------------------------------- mutations

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
const pack = (json: string) => deflateRawSync(Buffer.from(json)).toString('base64url');
/** Stands for a number JSON.stringify cannot write; replaced in the text. */
const RAW = (text: string) => `\u0001RAW:${text}\u0001`;
const raw = (json: string) => json.replace(/"\\u0001RAW:([^\\]*)\\u0001"/g, '$1');

type Node = Record<string, unknown> | unknown[];
type Expect = 'refuse' | 'accept' | 'any';

/** Every object and list in a value, with its path. */
function containers(v: unknown, path = '', out: { node: Node; path: string }[] = []): { node: Node; path: string }[] {
  if (typeof v !== 'object' || v === null) return out;
  out.push({ node: v as Node, path });
  for (const [k, c] of Object.entries(v)) containers(c, `${path}.${k}`, out);
  return out;
}

const HOSTILE: (() => unknown)[] = [
  () => RAW('1e999'),
  () => RAW('-1e999'),
  () => -1,
  () => -0.5,
  () => 1.5,
  () => 2 ** 53,
  () => 1e308,
  () => null,
  () => true,
  () => '',
  () => '<script>alert(1)</script>',
  () => 'x'.repeat(1 + rng.int(300_000)),
  () => 'a\u0000b',
  () => '\u202ertl',
  () => ({}),
  () => [],
  () => [[[]]],
  () => new Array(rng.int(2000)).fill(0),
  () => ({ a: 1 }),
  () => 'javascript:alert(1)',
  () => '1',
];
const BAD_URLS = [
  '/\\evil.example/x',
  '/\\\\evil.example',
  '/\t/evil.example/x',
  '//evil.example/x',
  '/\n/evil.example',
  'javascript:alert(1)',
  'data:text/plain,x',
  'https:/\\evil.example',
  'https:///x',
  ' /x',
  'file:///etc/passwd',
  'HTTPS:\\\\evil.example',
  '\u0000/x',
  '/x\u2028',
  'x'.repeat(3000),
];
const COUNT_PATHS: ((p: SharePayload) => [Record<string, unknown>, string])[] = [
  (p) => [
    p.runs[0].steps[rng.int(p.runs[0].steps.length)] as unknown as Record<string, unknown>,
    pick(['step', 'epoch']),
  ],
  (p) => [p.runs[0].config as unknown as Record<string, unknown>, pick(['batchSize', 'epochs', 'prefetch', 'seed'])],
  (p) => [p.runs[0].config.data as unknown as Record<string, unknown>, 'rows'],
  (p) => [p.runs[0].config.data.split as unknown as Record<string, unknown>, 'seed'],
  (p) => [p.runs[0].meta as unknown as Record<string, unknown>, pick(['stepsTotal', 'colour'])],
  (p) => [p.runs[0].epochs[0] as unknown as Record<string, unknown>, 'epoch'],
];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** Weights of the mutations below, by case number (huge inputs are slow to make and to refuse: rarer). */
const WEIGHTS = [8, 6, 6, 4, 8, 7, 7, 6, 8, 8, 10, 6, 4, 3, 2, 1, 2, 2, 8];
const TOTAL = WEIGHTS.reduce((a, b) => a + b, 0);
function pickOp(): number {
  let r = rng.int(TOTAL);
  for (let k = 0; k < WEIGHTS.length; k++) if ((r -= WEIGHTS[k]) < 0) return k;
  return WEIGHTS.length - 1;
}

/** One hostile link made from a real one: its kind, what it must do, and the fragment data. */
function mutate(base: SharePayload, link: string): { kind: string; expect: Expect; data: string } {
  const p = JSON.parse(JSON.stringify(base)) as SharePayload;
  switch (pickOp()) {
    case 0: {
      // characters changed
      const s = link.split('');
      for (let k = 1 + rng.int(6); k > 0; k--)
        s[rng.int(s.length)] = rng.next() < 0.9 ? B64[rng.int(64)] : String.fromCharCode(rng.int(0x3000));
      return { kind: 'chars', expect: 'any', data: s.join('') };
    }
    case 1:
      return { kind: 'cut', expect: 'any', data: link.slice(0, rng.int(link.length)) };
    case 2: {
      // a chunk inserted or removed
      const at = rng.int(link.length);
      if (rng.next() < 0.5)
        return {
          kind: 'insert',
          expect: 'any',
          data:
            link.slice(0, at) +
            Array.from({ length: 1 + rng.int(200) }, () => B64[rng.int(64)]).join('') +
            link.slice(at),
        };
      return { kind: 'remove', expect: 'any', data: link.slice(0, at) + link.slice(at + 1 + rng.int(200)) };
    }
    case 3: {
      // a long run of '=' (quadratic in a /=+$/ trim)
      const n = rng.next() < 0.05 ? 1_400_000 : 1 + rng.int(200_000);
      const at = rng.next() < 0.5 ? link.length : rng.int(link.length);
      return { kind: 'equals', expect: 'any', data: link.slice(0, at) + '='.repeat(n) + link.slice(at) };
    }
    case 4: {
      // bits flipped in the deflated bytes
      const bytes = Buffer.from(link, 'base64url');
      for (let k = 1 + rng.int(8); k > 0; k--) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      return { kind: 'deflate-bits', expect: 'any', data: bytes.toString('base64url') };
    }
    case 5:
    case 6:
    case 7: {
      // a hostile value at a random place
      const { node } = pick(containers(p));
      const keys = Object.keys(node);
      if (keys.length === 0) return { kind: 'value', expect: 'any', data: pack(JSON.stringify(p)) };
      const key = pick(keys);
      (node as Record<string, unknown>)[key] = pick(HOSTILE)();
      return { kind: 'value', expect: 'any', data: pack(raw(JSON.stringify(p))) };
    }
    case 8: {
      // 1e999 in place of a number (Infinity once parsed)
      const numbers = containers(p).flatMap(({ node }) =>
        Object.entries(node)
          .filter(([, v]) => typeof v === 'number')
          .map(([k]) => ({ node, k })),
      );
      const { node, k } = pick(numbers);
      (node as Record<string, unknown>)[k] = RAW(pick(['1e999', '-1e999', '9e9999']));
      // The summary's optional figures are left out when not valid (the run kept).
      return {
        kind: 'infinity',
        expect: ['lossScale', 'skippedSteps', 'samplesPerSec', 'sparsity', 'nonZeroParameters'].includes(k)
          ? 'any'
          : 'refuse',
        data: pack(raw(JSON.stringify(p))),
      };
    }
    case 9: {
      // a negative or fractional count
      const [node, key] = pick(COUNT_PATHS)(p);
      node[key] = pick([-1, -(2 ** 31), -0.5, 0.5, 1.25, -1e-9]);
      return { kind: 'count', expect: 'refuse', data: pack(JSON.stringify(p)) };
    }
    case 10: {
      // an unknown or forbidden key
      const objects = containers(p).filter(({ node }) => !Array.isArray(node));
      const { node } = pick(objects);
      const key =
        rng.next() < 0.5
          ? pick(FORBIDDEN)
          : pick(['x', 'extra', 'html', 'onload', 'toString', 'hasOwnProperty', 'v2', '', 'steps2']);
      Object.defineProperty(node, key, {
        value: rng.next() < 0.2 ? new Array(rng.int(500_000)).fill(0) : pick(HOSTILE)(),
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return {
        kind: FORBIDDEN.includes(key) ? 'proto' : 'unknown-key',
        expect: 'refuse',
        data: pack(raw(JSON.stringify(p))),
      };
    }
    case 11: {
      // a key removed
      const objects = containers(p).filter(({ node }) => !Array.isArray(node) && Object.keys(node).length);
      const { node } = pick(objects);
      delete (node as Record<string, unknown>)[pick(Object.keys(node))];
      return { kind: 'missing-key', expect: 'any', data: pack(JSON.stringify(p)) };
    }
    case 12: {
      // a bad dataset address
      p.dataset = { name: 'penguins.arrow', rows: 344, fingerprint: 'ab'.repeat(32), url: pick(BAD_URLS) };
      return { kind: 'url', expect: 'refuse', data: pack(JSON.stringify(p)) };
    }
    case 13: {
      // nesting deeper than 32 at a random place
      const depth = rng.next() < 0.1 ? 1_000_000 + rng.int(4_000_000) : 33 + rng.int(5000);
      const json = JSON.stringify({ ...p, createdAt: RAW('@@') });
      return {
        kind: 'deep',
        expect: 'refuse',
        data: pack(raw(json).replace('@@', `${'['.repeat(depth)}${']'.repeat(depth)}`)),
      };
    }
    case 14: {
      // a huge list (in place of the steps, or under a new key), or a bomb of empty lists
      const n = 300_001 + rng.int(rng.next() < 0.2 ? 5_000_000 : 200_000);
      const r = rng.next();
      const json = JSON.stringify(p).replace('"runs":[{', `"runs":[{"@@":0,`);
      const big =
        r < 0.4
          ? `[${'0,'.repeat(n)}0]`
          : r < 0.7
            ? `[${'[],'.repeat(Math.min(n, 5_000_000))}[]]`
            : `[${'{},'.repeat(Math.min(n, 5_000_000))}{}]`;
      const text =
        rng.next() < 0.5
          ? json.replace('"@@":0,', `"junk":${big},`)
          : json.replace('"@@":0,', '').replace(/"steps":\[[^\]]*\]/, `"steps":${big}`);
      return { kind: 'huge-list', expect: 'refuse', data: pack(text) };
    }
    case 15: {
      // a deflate bomb: whitespace JSON allows, past the inflated cap
      const json = JSON.stringify(p);
      return {
        kind: 'bomb',
        expect: 'refuse',
        data: pack(`${json.slice(0, 1)}${' '.repeat((16 << 20) + rng.int(4 << 20))}${json.slice(1)}`),
      };
    }
    case 16: {
      // duplicate runs, or more than a link holds
      if (rng.next() < 0.5) p.runs = [...p.runs, p.runs[0]];
      else p.runs = Array.from({ length: 65 + rng.int(100) }, (_, i) => ({ ...p.runs[0], id: `r${i}` }));
      return { kind: 'runs', expect: 'refuse', data: pack(JSON.stringify(p)) };
    }
    case 17: {
      // a wrong version
      (p as { v: unknown }).v = pick([0, 2, -1, 1.5, '1', null, RAW('1e999')]);
      return { kind: 'version', expect: 'refuse', data: pack(raw(JSON.stringify(p))) };
    }
    default: {
      // changes a link may have: markup and other scripts in names, other finite figures
      const r = p.runs[rng.int(p.runs.length)];
      r.meta.title = pick([
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        'Ελληνικά · 日本語',
        '"quoted" & <b>bold</b>',
        'a'.repeat(1024),
      ]);
      r.steps.forEach((s) => (s.loss = Number.isNaN(s.loss) ? s.loss : rng.next() * 10));
      if (r.meta.error !== null) r.meta.error = `${r.meta.error}\n<script>x</script>`;
      return { kind: 'benign', expect: 'accept', data: pack(JSON.stringify(p)) };
    }
  }
}

// ---------------------------------------------------------------- the independent schema check

class Bad extends Error {}
const bad = (path: string, what: string): never => {
  throw new Bad(`${path}: ${what}`);
};
type Check = (v: unknown, path: string) => void;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const int =
  (min = 0): Check =>
  (v, p) =>
    void (isInt(v) && v >= min ? 0 : bad(p, `not a whole number >= ${min}`));
const num =
  (min = -Infinity, max = Infinity, above = false): Check =>
  (v, p) =>
    void (typeof v === 'number' && Number.isFinite(v) && (above ? v > min : v >= min) && v <= max
      ? 0
      : bad(p, `not a finite number in range: ${String(v)}`));
/** A measurement: finite, or NaN (a value JSON wrote as null). */
const measure =
  (min = -Infinity, max = Infinity): Check =>
  (v, p) =>
    void (typeof v === 'number' && (Number.isNaN(v) || (v >= min && v <= max))
      ? 0
      : bad(p, `not a measurement: ${String(v)}`));
const str =
  (max: number, lines = false): Check =>
  (v, p) => {
    if (typeof v !== 'string' || v.length > max) bad(p, 'not text of the allowed length');
    // eslint-disable-next-line no-control-regex
    const control = lines ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/ : /[\u0000-\u001f\u007f-\u009f]/;
    if (control.test(v as string)) bad(p, 'control characters');
  };
const oneOf =
  (...xs: unknown[]): Check =>
  (v, p) =>
    void (xs.includes(v) ? 0 : bad(p, `not one of ${xs.join(', ')}`));
const orNull =
  (c: Check): Check =>
  (v, p) =>
    void (v === null ? 0 : c(v, p));
const arr =
  (max: number, each: Check, min = 0): Check =>
  (v, p) => {
    if (!Array.isArray(v) || v.length > max || v.length < min || Object.getPrototypeOf(v) !== Array.prototype)
      bad(p, 'not a list of the allowed length');
    (v as unknown[]).forEach((x, i) => each(x, `${p}[${i}]`));
  };
/** A fresh plain object with exactly the required keys and some of the optional ones (marked `?`). */
const obj =
  (fields: Record<string, Check>): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype)
      return bad(p, 'not a plain object');
    const o = v as Record<string, unknown>;
    for (const k of Object.getOwnPropertyNames(o))
      if (!Object.hasOwn(fields, k) && !Object.hasOwn(fields, `${k}?`))
        bad(p, `key outside the schema: ${JSON.stringify(k.slice(0, 40))}`);
    for (const [spec, check] of Object.entries(fields)) {
      const k = spec.endsWith('?') ? spec.slice(0, -1) : spec;
      if (!Object.prototype.hasOwnProperty.call(o, k)) {
        if (!spec.endsWith('?')) bad(p, `missing ${k}`);
        continue;
      }
      check(o[k], `${p}.${k}`);
    }
  };

const NAME = str(1024);
const positive: Check = num(0, Infinity, true);
const optimizer: Check = (v, p) => {
  obj({
    name: oneOf('sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw', 'lion'),
    learningRate: positive,
    'momentum?': num(0, 1),
    'beta1?': num(0, 1),
    'beta2?': num(0, 1),
    'epsilon?': positive,
    'rho?': num(0, 1),
    'weightDecay?': num(0),
    'lookahead?': orNull(obj({ k: int(1), alpha: num(0, 1, true) })),
    'schedule?': obj({
      type: oneOf('constant', 'step', 'cosine'),
      'warmupSteps?': int(0),
      'stepSize?': int(1),
      'gamma?': num(0, 1, true),
      'totalSteps?': int(1),
      'minLearningRate?': num(0),
    }),
    'clipNorm?': orNull(positive),
  })(v, p);
};
const model: Check = (v, p) => {
  const type = (v as { type?: unknown } | null)?.type;
  const common = {
    type: oneOf('mlp', 'cnn', 'dscnn'),
    hidden: arr(16, int(1)),
    activation: oneOf('relu', 'tanh', 'sigmoid'),
  };
  const shape = { 'inputShape?': arr(3, int(1), 3) };
  if (type === 'cnn') return obj({ ...common, ...shape, filters: arr(8, int(1), 1) })(v, p);
  if (type === 'dscnn')
    return obj({ ...common, ...shape, stem: int(1), blocks: arr(16, obj({ filters: int(1), stride: oneOf(1, 2) })) })(
      v,
      p,
    );
  obj(common)(v, p);
};
const split: Check = (v, p) => {
  obj({ train: num(0, 1), val: num(0, 1), test: num(0, 1), seed: int(0) })(v, p);
  const s = v as { train: number; val: number; test: number };
  if (s.train + s.val + s.test > 1 + 1e-9) bad(p, 'fractions over 1');
};
const config = obj({
  data: obj({
    fingerprint: str(256),
    name: NAME,
    rows: int(0),
    label: NAME,
    features: arr(65_536, NAME),
    dedup: oneOf('none', 'exact', 'bloom'),
    split,
    // Text here; the codec parses it (core/data/filter.ts), which this check does not repeat.
    'where?': orNull(str(4096)),
    'task?': oneOf('classification', 'regression'),
  }),
  model,
  optimizer,
  batchSize: int(1),
  epochs: int(1),
  precision: oneOf('fp32', 'fp16-mixed'),
  engine: oneOf('tfjs', 'wgsl'),
  backend: oneOf('webgpu', 'webgl', 'wasm', 'cpu'),
  prefetch: int(1),
  seed: int(0),
  'targetLoss?': orNull(num()),
  'maxSteps?': orNull(int(1)),
  'maxSeconds?': orNull(positive),
  'pruning?': orNull((v, p) => {
    obj({ targetSparsity: num(0, 0.999), startStep: int(0), endStep: int(0), every: int(1) })(v, p);
    const r = v as { startStep: number; endStep: number; every: number };
    if (Math.max(r.startStep, r.endStep, r.every) > 100_000_000) bad(p, 'a step count over 100000000');
    if (r.endStep < r.startStep) bad(p, 'pruning ends before it starts');
  }),
  'distill?': orNull((v, p) => {
    obj({ teacher: str(4096), temperature: num(0, 100), alpha: num(0, 1) })(v, p);
    const r = v as { teacher: string; temperature: number };
    if (r.teacher.trim() === '') bad(p, 'no teacher named');
    if (r.temperature === 0) bad(p, 'temperature 0');
  }),
});
const environment = obj({
  runtime: NAME,
  adapter: orNull(obj({ vendor: NAME, architecture: NAME })),
  features: arr(256, NAME),
  f16Path: oneOf('none', 'native', 'packed'),
  backend: oneOf('webgpu', 'webgl', 'wasm', 'cpu'),
  fallbackReason: orNull(str(10_000, true)),
});
const step = obj({
  step: int(0),
  epoch: int(0),
  time: num(0),
  loss: measure(),
  samplesPerSec: num(0),
  dataWaitMs: num(0),
  gpuMs: orNull(num()),
  readbackMs: num(0),
  'memory?': obj({ tensors: int(0), bytes: int(0), gpuBytes: orNull(int(0)) }),
});
const epoch = obj({
  epoch: int(0),
  trainLoss: measure(),
  valLoss: orNull(measure()),
  valAccuracy: orNull(measure(0, 1)),
  'valRmse?': orNull(measure(0)),
});
const summary = obj({
  status: oneOf('done', 'stopped', 'failed'),
  medianSamplesPerSec: measure(0),
  'samplesPerSec?': positive,
  timeToTargetLoss: orNull(num(0)),
  finalValMetric: orNull(measure()),
  'error?': str(10_000, true),
  'misclassified?': arr(50, obj({ index: int(0), predicted: int(0) })),
  'startup?': obj({ backendSec: num(0), dataSec: num(0), modelSec: num(0), firstStepSec: num(0) }),
  'lossScale?': positive,
  'skippedSteps?': int(0),
  'sparsity?': num(0, 1),
  'nonZeroParameters?': int(0),
});
const run: Check = (v, p) => {
  obj({
    version: oneOf(1),
    id: str(256),
    config,
    environment: orNull(environment),
    steps: arr(300, step),
    epochs: arr(100_000, epoch),
    summary,
    meta: obj({
      title: str(4096),
      colour: int(0),
      createdAt: num(0),
      finishedAt: orNull(num(0)),
      budgetSec: orNull(positive),
      sweep: orNull(obj({ id: str(256), rung: int(0), key: str(1 << 18) })),
      error: orNull(str(10_000, true)),
      info: orNull(str(10_000, true)),
      stepsTotal: int(0),
      'origin?': orNull(NAME),
    }),
  })(v, p);
  const r = v as StoredRun;
  if (r.meta.stepsTotal < r.steps.length) bad(`${p}.meta.stepsTotal`, 'fewer than the steps');
};
/** A dataset address must stay on the page's origin, unless written out in full as http(s). */
const address: Check = (v, p) => {
  str(2048)(v, p);
  let u: URL;
  try {
    u = new URL(v as string, PAGE);
  } catch {
    return bad(p, 'not a URL');
  }
  if (u.origin !== PAGE && !/^https?:\/\/[^/\\]/i.test(v as string))
    bad(p, `a relative address that leaves the site: ${u.origin}`);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') bad(p, 'not http(s)');
};
const paramValue: Check = (v, p) =>
  void (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? 0 : str(256)(v, p));
/** Any plain object (its own keys checked by `each`), at most `max` keys. */
const map =
  (max: number, each: Check): Check =>
  (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype)
      return bad(p, 'not a plain object');
    const keys = Object.getOwnPropertyNames(v);
    if (keys.length > max) bad(p, `more than ${max} keys`);
    for (const k of keys) {
      if (['__proto__', 'constructor', 'prototype'].includes(k)) bad(p, `key ${k}`);
      str(256)(k, `${p} key`);
      each((v as Record<string, unknown>)[k], `${p}.${k}`);
    }
  };
const dimension: Check = (v, p) => {
  const t = (v as { type?: unknown } | null)?.type;
  if (t === 'choice') return obj({ type: oneOf('choice'), values: arr(64, paramValue, 1) })(v, p);
  obj({ type: oneOf('log', 'float', 'int'), min: num(), max: num(), 'log?': oneOf(true) })(v, p);
  const d = v as { type: string; min: number; max: number };
  if (!(d.min < d.max)) bad(p, 'an empty range');
  if (d.type === 'log' && d.min <= 0) bad(p, 'a log range reaching 0');
};
const objectiveName = oneOf('valLoss', 'valMetric', 'timeToTarget', 'samplesPerSec');
const searchRecord = obj({
  id: (v, p) => {
    str(256)(v, p);
    if (!(v as string).startsWith('search-')) bad(p, 'not a search id');
  },
  spec: obj({
    sampler: oneOf('random', 'tpe'),
    scheduler: oneOf('none', 'halving', 'hyperband'),
    trials: int(0),
    objective: (v, p) => {
      if (!Array.isArray(v)) return objectiveName(v, p);
      arr(2, oneOf('valLoss', 'valMetric', 'timeToTarget', 'samplesPerSec', 'parameters', 'flopsPerSample'), 2)(v, p);
      objectiveName(v[0], `${p}[0]`);
      if (v[0] === v[1]) bad(p, 'the same objective twice');
    },
    space: map(32, dimension),
    maxBudget: int(1),
    eta: int(2),
    seed: int(0),
    timeBudgetSec: orNull(num(0)),
  }),
  config,
  targetLoss: orNull(num()),
  minimise: oneOf(true, false),
  minimiseSecond: oneOf(true, false),
  status: oneOf('running', 'done', 'cancelled', 'interrupted', 'shared'),
  trials: arr(
    2000,
    obj({
      trial: int(0),
      config: int(0),
      params: map(32, paramValue),
      budget: int(1),
      objective: orNull(num()),
      stoppedEarly: oneOf(true, false),
      second: orNull(num()),
      steps: int(0),
      runId: orNull(str(256)),
      'error?': str(4096, true),
    }),
  ),
  spentSec: num(0),
  stoppedByBudget: oneOf(true, false),
});
const payload = obj({
  v: oneOf(1),
  createdAt: num(0),
  dataset: orNull(obj({ name: NAME, rows: int(0), fingerprint: str(256), url: orNull(address) })),
  baselineKey: orNull(str(1 << 18)),
  runs: arr(64, run, 1),
  'search?': searchRecord,
});

/** Deep equality with NaN equal to NaN. */
function same(a: unknown, b: unknown): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.prototype.hasOwnProperty.call(b, k) &&
        same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

async function check(p: SharePayload): Promise<string> {
  try {
    payload(p, 'payload');
    const ids = new Set(p.runs.map((r) => r.id));
    if (ids.size !== p.runs.length) bad('payload.runs', 'two runs with one id');
  } catch (e) {
    if (e instanceof Bad) return e.message;
    throw e;
  }
  const again = await unpackPayload(await packPayload(p));
  return same(again, p) ? 'ok' : 'the round trip changed the payload';
}

// ---------------------------------------------------------------- the campaign

const bases = payloads();
const links = await Promise.all(bases.map(packPayload));
for (let i = 0; i < cases; i++) {
  const b = i % bases.length;
  const { kind, expect, data } = mutate(bases[b], links[b]);
  // A third argument writes that case's link data to stdout instead (to study a failure).
  if (dump !== null) {
    if (dump !== i) continue;
    process.stderr.write(`case ${i}: ${kind}, must ${expect}\n`);
    process.stdout.write(data);
    break;
  }
  const t0 = performance.now();
  let outcome = 'accepted';
  let message = '';
  let verdict = '';
  try {
    const opened = await unpackPayload(data);
    verdict = await check(opened);
  } catch (e) {
    outcome = e instanceof ShareLinkError ? 'ShareLinkError' : (e as Error).name;
    message = (e as Error).message.slice(0, 300);
  }
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(`${JSON.stringify({ i, kind, expect, outcome, message, check: verdict, ms })}\n`);
}
