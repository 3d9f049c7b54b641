import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  SHARE_MAX_CHARS,
  SHARE_MAX_STEPS,
  SHARE_VERSION,
  ShareLinkError,
  fromBase64Url,
  isSafeUrl,
  makePayload,
  toBase64Url,
  validatePayload,
} from '../core/share/link';
import { encodeRun, type StoredRun } from '../core/share/run-codec';
import { Rng } from '../core/data/rng';
import { DEFAULT_SETTINGS, makeRunConfig, type RunSettings } from '../core/train/run-config';
import { MAX_JSON_BYTES, jsonShapeProblem, nestsDeeperThan, packPayload, unpackPayload } from './share-pack';

function stored(id: string, steps: number, seed = 1, more: Partial<RunSettings> = {}): StoredRun {
  const config = makeRunConfig(
    { ...DEFAULT_SETTINGS, seed, ...more },
    {
      fingerprint: 'f'.repeat(64),
      name: 'penguins.arrow',
      rows: 333,
      label: 'species',
      features: ['bill_length_mm'],
      dedup: 'none',
      split: { train: 0.8, val: 0.1, test: 0.1, seed },
    },
  );
  return encodeRun(
    {
      id,
      config,
      environment: {
        runtime: 'chrome 140',
        adapter: { vendor: 'nvidia', architecture: 'hopper' },
        features: ['timestamp-query'],
        f16Path: 'none',
        backend: 'webgpu',
        fallbackReason: null,
      },
      status: 'done',
      steps: Array.from({ length: steps }, (_, i) => ({
        step: i,
        epoch: 0,
        time: i / 100,
        loss: 1 / (i + 1),
        samplesPerSec: 5000 + i,
        dataWaitMs: 0.1,
        gpuMs: null,
        readbackMs: 0.2,
      })),
      epochs: [{ epoch: 0, trainLoss: 0.3, valLoss: 0.35, valAccuracy: 0.9 }],
      summary: { status: 'done', medianSamplesPerSec: 5100, timeToTargetLoss: null, finalValMetric: 0.9 },
      error: null,
      info: null,
    },
    { title: `MLP · seed ${seed}`, colour: 0, createdAt: 1, finishedAt: 2, budgetSec: null, sweep: null },
  );
}

const dataset = { name: 'penguins.arrow', rows: 333, fingerprint: 'f'.repeat(64), url: '/datasets/penguins.arrow' };

describe('base64url', () => {
  it("equals Node's base64url for every length and byte value, and decodes back", () => {
    const rng = new Rng(2);
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, () => rng.int(256));
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(Array.from(fromBase64Url(text))).toEqual(Array.from(bytes));
    }
  });

  it('names a stray character and refuses an impossible length', () => {
    expect(() => fromBase64Url('abc$def')).toThrow('stray character at position 4');
    expect(() => fromBase64Url('abcde')).toThrow('cut off');
  });

  it('trims trailing padding, and refuses a long run of "=" inside the data without backtracking', () => {
    expect(Array.from(fromBase64Url('YQ=='))).toEqual([97]);
    // 1.5 M '=' then a letter: a /=+$/ trim backtracks quadratically here (minutes; this test's limit is seconds).
    expect(() => fromBase64Url(`${'='.repeat(1_500_001)}a`)).toThrow('stray character at position 1');
  }, 10_000);
});

describe('share payloads', () => {
  it('pack to deflate-raw that zlib inflates to the payload JSON, and unpack to the same runs', async () => {
    const payload = makePayload([stored('a', 2000), stored('b', 40, 2)], dataset, null, 123);
    expect(payload.runs[0].steps.length).toBeLessThanOrEqual(SHARE_MAX_STEPS);
    expect(payload.runs[0].steps.at(-1)!.step).toBe(1999);
    const data = await packPayload(payload);
    expect(JSON.parse(inflateRawSync(Buffer.from(data, 'base64url')).toString('utf8'))).toEqual(
      JSON.parse(JSON.stringify(payload)),
    );
    const back = await unpackPayload(data);
    expect(back.runs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(back.runs[1]).toEqual(JSON.parse(JSON.stringify(payload.runs[1])));
    expect(back.dataset).toEqual(dataset);
    expect(back.createdAt).toBe(123);
  });

  it('refuses damaged, cut, foreign and newer links with a reason', async () => {
    const good = await packPayload(makePayload([stored('a', 10)], dataset, null));
    await expect(unpackPayload('')).rejects.toThrow('no data');
    await expect(unpackPayload(good.slice(0, Math.floor(good.length / 2)))).rejects.toThrow(ShareLinkError);
    await expect(unpackPayload('not a link!')).rejects.toThrow('stray character');
    const pack = (v: unknown) =>
      Buffer.from(deflateRawSync(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)))).toString('base64url');
    await expect(unpackPayload(pack('{oops'))).rejects.toThrow('not JSON');
    await expect(unpackPayload(pack({ v: SHARE_VERSION + 1, runs: [] }))).rejects.toThrow('newer Trainbench (format 2');
    await expect(
      unpackPayload(pack({ ...makePayload([stored('a', 3)], dataset, null), runs: [{ id: 'x' }] })),
    ).rejects.toThrow('run 1 of 1 in the link is malformed');
    await expect(unpackPayload(pack({ ...makePayload([stored('a', 3)], dataset, null), runs: [] }))).rejects.toThrow(
      'holds no runs',
    );
  });

  it(
    'round-trip engine, precision and the loss scale; open old links without an engine as tfjs; refuse an ' +
      'unknown engine',
    async () => {
      const mixed = stored('m', 30, 1, { engine: 'wgsl', precision: 'fp16-mixed' });
      mixed.summary = { ...mixed.summary, lossScale: 8192, skippedSteps: 4 };
      const back = await unpackPayload(await packPayload(makePayload([stored('t', 10), mixed], dataset, null)));
      expect(back.runs.map((r) => [r.config.engine, r.config.precision])).toEqual([
        ['tfjs', 'fp32'],
        ['wgsl', 'fp16-mixed'],
      ]);
      expect(back.runs[1].summary).toMatchObject({ lossScale: 8192, skippedSteps: 4 });

      const pack = (v: unknown) => Buffer.from(deflateRawSync(Buffer.from(JSON.stringify(v)))).toString('base64url');
      const payload = JSON.parse(JSON.stringify(makePayload([stored('t', 10)], dataset, null)));
      delete payload.runs[0].config.engine;
      expect((await unpackPayload(pack(payload))).runs[0].config.engine).toBe('tfjs');
      payload.runs[0].config.engine = 'warp';
      await expect(unpackPayload(pack(payload))).rejects.toThrow('run 1 of 1 in the link is malformed');
      payload.runs[0].config.engine = 'wgsl';
      payload.runs[0].config.precision = 'fp64';
      await expect(unpackPayload(pack(payload))).rejects.toThrow('run 1 of 1 in the link is malformed');
    },
  );

  it('accepts only relative or http(s) dataset addresses', () => {
    const p = JSON.parse(JSON.stringify(makePayload([stored('a', 3)], dataset, null)));
    expect(validatePayload(p).dataset?.url).toBe('/datasets/penguins.arrow');
    for (const url of ['javascript:alert(1)', 'data:text/plain,x', '//evil.example/x']) {
      expect(() => validatePayload({ ...p, dataset: { ...dataset, url } })).toThrow('not an http(s) or relative URL');
    }
    expect(validatePayload({ ...p, dataset: { ...dataset, url: 'https://example.org/a.parquet' } }).dataset?.url).toBe(
      'https://example.org/a.parquet',
    );
  });

  it('has nothing to share without finished runs', () => {
    expect(() => makePayload([], dataset, null)).toThrow('no finished runs');
  });
});

describe('dataset addresses in links', () => {
  const base = 'https://workbench.example/app/';
  it('refuses paths that a URL parser would take off the site (backslash, tab, newline, two slashes)', () => {
    for (const bad of [
      '/\\evil.example/x',
      '/\\\\evil.example',
      '/\t/evil.example/x',
      '/\n/evil.example',
      '//evil.example/x',
      ' /x',
      'javascript:alert(1)',
      'data:text/plain,x',
      'https:/\\evil.example',
      'https:///x',
    ]) {
      expect(isSafeUrl(bad), JSON.stringify(bad)).toBe(false);
    }
    for (const ok of [
      '/datasets/penguins.arrow',
      '/a/b?c=d#e',
      'https://data.example/f.parquet',
      'http://localhost:8080/x.csv',
    ])
      expect(isSafeUrl(ok), ok).toBe(true);
  });

  it(
    "every path it accepts stays on the page's origin, as Node's URL parser resolves it (seeded " + 'random addresses)',
    () => {
      const rng = new Rng(17);
      const alphabet = [
        '/',
        '\\',
        '\t',
        '\n',
        '\r',
        ' ',
        '.',
        ':',
        'e',
        'v',
        '%',
        '?',
        '#',
        '@',
        '\u0000',
        '\u007f',
        'x',
      ];
      let accepted = 0;
      for (let i = 0; i < 20_000; i++) {
        const len = 1 + rng.int(8);
        let u = '/';
        for (let j = 0; j < len; j++) u += alphabet[rng.int(alphabet.length)];
        if (!isSafeUrl(u)) continue;
        accepted++;
        expect(new URL(u, base).origin, JSON.stringify(u)).toBe('https://workbench.example');
      }
      expect(accepted).toBeGreaterThan(100);
    },
  );
});

describe('hostile nesting', () => {
  it('counts JSON nesting outside strings, as JSON.parse sees it', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(nestsDeeperThan(enc('{"a":[1,{"b":[]}]}'), 4)).toBe(false);
    expect(nestsDeeperThan(enc('{"a":[1,{"b":[[]]}]}'), 4)).toBe(true);
    expect(nestsDeeperThan(enc(`{"a":"[[[[[[\\"[[[["}`), 1)).toBe(false);
    // Against a reference depth from the parsed value, on seeded random nests.
    const rng = new Rng(5);
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
    for (let i = 0; i < 200; i++) {
      const build = (d: number): unknown =>
        d === 0
          ? rng.next() < 0.5
            ? 'x[{"'
            : 1
          : rng.next() < 0.5
            ? [build(d - 1), 'y']
            : { k: build(d - 1), s: ']}' };
      const v = build(rng.int(12));
      const depth = depthOf(v);
      const text = enc(JSON.stringify(v));
      expect(nestsDeeperThan(text, depth)).toBe(false);
      if (depth > 0) expect(nestsDeeperThan(text, depth - 1)).toBe(true);
    }
  });

  it('refuses a link whose data nests a million levels deep before parsing it', async () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    const data = Buffer.from(deflateRawSync(Buffer.from(deep))).toString('base64url');
    await expect(unpackPayload(data)).rejects.toThrow(
      new ShareLinkError("the link's data nests more than 32 levels deep"),
    );
  });
});

describe('hostile links (issue 12): each refused with what is wrong, before or while parsing', () => {
  const pack = (v: unknown) =>
    Buffer.from(deflateRawSync(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)))).toString('base64url');
  const good = () => JSON.parse(JSON.stringify(makePayload([stored('a', 20), stored('b', 20, 2)], dataset, null, 5)));
  const refusal = async (data: string) => {
    try {
      await unpackPayload(data);
    } catch (e) {
      expect(e).toBeInstanceOf(ShareLinkError);
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('refuses unknown keys at every level, the 16-million-entry array among them, without keeping them', async () => {
    expect(await refusal(pack({ ...good(), junk: new Array(1_000_000).fill(0) }))).toBe(
      'the link (format 1) is malformed: payload: unknown field "junk"',
    );
    expect(await refusal(pack({ ...good(), dataset: { ...dataset, size: 1 } }))).toBe(
      'the link\'s dataset description is malformed: dataset: unknown field "size"',
    );
    const p = good();
    p.runs[1].config.data.junk = [1, 2, 3];
    expect(await refusal(pack(p))).toBe('run 2 of 2 in the link is malformed: config.data: unknown field "junk"');
  });

  it('refuses __proto__, constructor and prototype keys', async () => {
    const text = JSON.stringify(good());
    expect(await refusal(pack(text.replace('{"v":1', '{"__proto__":{"polluted":1},"v":1')))).toBe(
      'the link (format 1) is malformed: payload: the field "__proto__" is not allowed',
    );
    expect(await refusal(pack(text.replace('"dataset":{', '"dataset":{"constructor":{},')))).toBe(
      'the link\'s dataset description is malformed: dataset: the field "constructor" is not allowed',
    );
    expect(await refusal(pack(text.replace('"meta":{', '"meta":{"prototype":{},')))).toBe(
      'run 1 of 2 in the link is malformed: meta: the field "prototype" is not allowed',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses 1e999, negative counts, a fractional version and duplicate run ids', async () => {
    const text = JSON.stringify(good());
    expect(await refusal(pack(text.replace('"createdAt":5', '"createdAt":1e999')))).toBe(
      'the link has no valid creation time: createdAt: must be a finite number >= 0, got Infinity',
    );
    expect(await refusal(pack(text.replace('"rows":333,"fingerprint"', '"rows":-333,"fingerprint"')))).toBe(
      "the link's dataset description is malformed: dataset.rows: must be a whole number >= 0, got -333",
    );
    expect(await refusal(pack(text.replace('"batchSize":32', '"batchSize":-32')))).toBe(
      'run 1 of 2 in the link is malformed: config.batchSize: must be a whole number from 1 to 1048576, got -32',
    );
    expect(await refusal(pack(text.replace('"v":1', '"v":1.5')))).toBe('the link has no format version');
    const p = good();
    p.runs[1].id = 'a';
    expect(await refusal(pack(p))).toBe('run 2 of 2 in the link has the same id as run 1');
  });

  it("refuses steps beyond the link's cap of 300 per run, and dataset addresses that leave the site", async () => {
    const p = good();
    p.runs[0].steps = new Array(301).fill(p.runs[0].steps[0]);
    p.runs[0].meta.stepsTotal = 301;
    expect(await refusal(pack(p))).toBe('run 1 of 2 in the link is malformed: steps: has 301 entries, more than 300');
    for (const url of ['/\\evil.example/x', '/\\\\evil.example', '/\t/evil.example/x', '//evil.example/x']) {
      expect(await refusal(pack({ ...good(), dataset: { ...dataset, url } })), JSON.stringify(url)).toBe(
        "the link's dataset address is not an http(s) or relative URL",
      );
    }
  });

  it('bounds the inflated size while inflating, and the count of objects and lists before parsing', async () => {
    // 17 MB of spaces deflate to about 17 KB.
    expect(await refusal(pack(' '.repeat(17 << 20)))).toBe('the link unpacks to more than 16 MB');
    expect(await refusal(pack(`[${'[],'.repeat(1_000_000)}[]]`))).toBe(
      "the link's data holds more than 1,000,000 objects and lists",
    );
    // The link: a ten-million-deep array (26 KB) is 20 MB inflated; five million deep fits in 16 MB.
    const deep = pack(`${'['.repeat(10_000_000)}${']'.repeat(10_000_000)}`);
    expect(deep.length).toBeLessThan(40_000);
    expect(await refusal(deep)).toBe('the link unpacks to more than 16 MB');
    expect(await refusal(pack(`${'['.repeat(5_000_000)}${']'.repeat(5_000_000)}`))).toBe(
      "the link's data nests more than 32 levels deep",
    );
    expect(jsonShapeProblem(new TextEncoder().encode('[{},{}]'), 2, 3)).toBeNull();
    expect(jsonShapeProblem(new TextEncoder().encode('[{},{},"[{"]'), 2, 3)).toBeNull();
    expect(jsonShapeProblem(new TextEncoder().encode('[{},{},{}]'), 2, 3)).toBe(
      "the link's data holds more than 3 objects and lists",
    );
  }, 20_000);

  it('opens what it accepts as fresh objects equal to what was packed, markup kept as text', async () => {
    const p = good();
    p.runs[0].meta.title = '<img src=x onerror=alert(1)>';
    const back = await unpackPayload(pack(p));
    expect(JSON.parse(JSON.stringify(back))).toEqual(p);
    expect(back.runs[0].meta.title).toBe('<img src=x onerror=alert(1)>');
    expect(await unpackPayload(await packPayload(back))).toEqual(back);
  });
});

describe('the inflated-size cap and real links', () => {
  it(
    'opens a real link near the longest accepted (64 runs with measured, noisy figures): it inflates about ' +
      '3.6 times, far under 16 MB',
    async () => {
      const rng = new Rng(3);
      const runs = Array.from({ length: 64 }, (_, k) => {
        const r = stored(`r${k}`, 0, k);
        r.config.data.features = Array.from({ length: 40 }, (_, i) => `feature_${i}`);
        r.steps = Array.from({ length: SHARE_MAX_STEPS }, (_, i) => ({
          step: i * 7,
          epoch: i >> 3,
          time: i / 100 + rng.next() / 1000,
          loss: (1 + rng.next() / 10) / (i + 1),
          samplesPerSec: 5000 + rng.next() * 500,
          dataWaitMs: rng.next() / 10,
          gpuMs: i % 4 ? null : rng.next(),
          readbackMs: i % 10 === 9 ? rng.next() : 0,
        }));
        r.epochs = Array.from({ length: 40 }, (_, i) => ({
          epoch: i,
          trainLoss: rng.next(),
          valLoss: rng.next(),
          valAccuracy: Math.round(rng.next() * 34) / 34,
        }));
        r.meta.stepsTotal = SHARE_MAX_STEPS;
        return r;
      });
      const payload = makePayload(runs, dataset, null);
      const data = await packPayload(payload);
      const inflated = JSON.stringify(payload).length;
      expect(data.length).toBeGreaterThan(1_300_000);
      expect(data.length).toBeLessThanOrEqual(SHARE_MAX_CHARS);
      expect(inflated / ((data.length * 3) / 4)).toBeLessThan(4);
      expect(inflated).toBeLessThan(MAX_JSON_BYTES / 4);
      expect((await unpackPayload(data)).runs).toHaveLength(64);
    },
    20_000,
  );
});
