import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli inspect', () => {
  it(
    'reads a small uncompressed Parquet file with dictionary pages written by parquet-rs (float64, ' + 'int32, string)',
    async () => {
      const { Table, vectorFromArray, Float64, Int32, Utf8 } = await import('apache-arrow');
      const { Compression, writeFixture } = await import('../core/data/parquet/fixtures/synthetic');
      const dir = mkdtempSync(join(tmpdir(), 'tb-pq-'));
      for (const n of [1, 4, 7, 13]) {
        const t = new Table({
          f: vectorFromArray(
            Array.from({ length: n }, (_, i) => i * 1.5),
            new Float64(),
          ),
          i: vectorFromArray(
            Array.from({ length: n }, (_, i) => i % 3),
            new Int32(),
          ),
          s: vectorFromArray(
            Array.from({ length: n }, (_, i) => ['a', 'bb', 'ccc'][i % 3]),
            new Utf8(),
          ),
        });
        const file = join(dir, `small-${n}.parquet`);
        writeFileSync(file, writeFixture(t, { compression: Compression.UNCOMPRESSED, dictionary: true }));
        const r = cli('inspect', file, '--json');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as {
          rows: number;
          columns: { name: string; max: number | null; distinct: number }[];
        };
        expect(out.rows).toBe(n);
        expect(out.columns.find((c) => c.name === 'f')!.max).toBe((n - 1) * 1.5);
        expect(out.columns.find((c) => c.name === 's')!.distinct).toBe(Math.min(n, 3));
      }
    },
    60_000,
  );

  it('counts NaN and infinities (as pandas and numpy write them) apart from the statistics, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-inf-'));
    const cells = ['1.5', 'inf', '-2', '-inf', 'nan', '4', 'NaN', 'Infinity', '', '0.25'];
    const file = join(dir, 'inf.csv');
    writeFileSync(file, `x,y\n${cells.map((c, i) => `${c},${i}`).join('\n')}\n`);
    const out = JSON.parse(cli('inspect', file, '--json').stdout) as {
      columns: { name: string; type: string; nulls: number; min: number; max: number; nonFinite?: number }[];
    };
    const finite = cells.filter((c) => c !== '' && Number.isFinite(Number(c))).map(Number);
    expect(out.columns[0]).toMatchObject({
      name: 'x',
      type: 'float',
      nulls: 1,
      nonFinite: cells.filter((c) => /^[+-]?(nan|inf|infinity)$/i.test(c)).length,
      min: Math.min(...finite),
      max: Math.max(...finite),
    });
    expect(out.columns[1].nonFinite).toBeUndefined();
    expect(cli('inspect', file).stdout).toContain('column x: 5 non-finite values (NaN or Infinity), left out of');
  });

  it('marks raw-bytes columns (hashed, a feature only when named) in JSON and in text', () => {
    const file = 'src/fixtures/conformance/parquet-testing/data/byte_stream_split_extended.gzip.parquet';
    const r = cli('inspect', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { columns: { name: string; type: string; bytes?: boolean }[] };
    expect(out.columns.filter((c) => c.bytes).map((c) => c.name)).toEqual(['flba5_plain', 'flba5_byte_stream_split']);
    expect(out.columns.find((c) => c.name === 'flba5_plain')?.type).toBe('categorical');
    expect(cli('inspect', file).stdout).toMatch(/flba5_plain +bytes,hashed +0 /);
  });

  it('lists the columns a file holds that cannot train (skipped, with type and reason), in JSON and in text', () => {
    const file = 'src/fixtures/conformance/parquet-testing/data/nullable.impala.parquet';
    const r = cli('inspect', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      columns: { name: string }[];
      skipped: { name: string; type: string; reason: string }[];
    };
    // A struct's flat leaf loads as a dotted column; its list and map members are skipped.
    expect(out.columns.map((c) => c.name)).toEqual(['id', 'nested_struct.A']);
    expect(out.skipped.map((k) => k.name)).toEqual([
      'int_array',
      'int_array_Array',
      'int_map',
      'int_Map_Array',
      'nested_struct.b',
      'nested_struct.C.d',
      'nested_struct.g',
    ]);
    expect(out.skipped.find((k) => k.name === 'int_array')).toMatchObject({
      type: 'list<int32>',
      reason: expect.stringMatching(/list/),
    });
    const text = cli('inspect', file);
    expect(text.stdout).toMatch(/skipped \(7\):\n {2}int_array \(list<int32>\): /);
  });

  it('shows dates and timestamps as dates in its table (Date.UTC as the reference), days and ms in its JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-dates-'));
    const file = join(dir, 'dates.csv');
    writeFileSync(file, 'day,at,v\n2024-01-01,2024-01-01T10:00:00Z,1\n2024-01-04,2024-01-01T10:00:00.250Z,2\n');
    const json = JSON.parse(cli('inspect', file, '--json').stdout) as {
      columns: { name: string; min: number; max: number; mean: number }[];
    };
    const day = json.columns.find((c) => c.name === 'day')!;
    expect([day.min, day.max]).toEqual([Date.UTC(2024, 0, 1) / 86_400_000, Date.UTC(2024, 0, 4) / 86_400_000]);
    const text = cli('inspect', file).stdout.split('\n');
    // The mean of the 1st and the 4th falls on the 2nd, at noon.
    expect(text.find((l) => l.startsWith('day '))).toMatch(/^day +date +0 +2024-01-01 +2024-01-04 +2024-01-02 +2$/);
    expect(text.find((l) => l.startsWith('at '))).toMatch(
      /^at +timestamp +0 +2024-01-01 10:00:00 +2024-01-01 10:00:00\.250 +2024-01-01 10:00:00\.125 +2$/,
    );
    expect(text.find((l) => l.startsWith('v '))).toMatch(/^v +int +0 +1 +2 +1\.50000 +2$/);
    expect(text[0]).toBe(`${file}: csv, 2 rows, 3 columns`);
    // One row and one column are counted in the singular.
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'v\n7\n');
    expect(cli('inspect', one).stdout.split('\n')[0]).toBe(`${one}: csv, 1 row, 1 column`);
  });

  it('prints one JSON document whose statistics match a float64 reference over penguins.json', () => {
    const r = cli('inspect', 'public/datasets/penguins.arrow', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      rows: number;
      format: string;
      columns: {
        name: string;
        type: string;
        nulls: number;
        min: number | null;
        max: number | null;
        mean: number | null;
        distinct: number;
      }[];
    };
    const rows = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as Record<
      string,
      string | number | null
    >[];
    expect(out.rows).toBe(rows.length);
    expect(out.format).toBe('arrow');
    for (const col of out.columns) {
      const values = rows.map((r) => r[col.name]);
      const present = values.filter((v) => v !== null);
      expect(col.nulls, col.name).toBe(values.length - present.length);
      expect(col.distinct, col.name).toBe(new Set(present).size);
      if (typeof present[0] === 'number') {
        const nums = present as number[];
        expect(col.min).toBe(Math.min(...nums));
        expect(col.max).toBe(Math.max(...nums));
        expect(col.mean).toBeCloseTo(nums.reduce((a, b) => a + b, 0) / nums.length, 9);
      } else {
        expect(col.type).toBe('categorical');
      }
    }
  });

  it('exits 1 with a one-line reason for a file that is not a dataset, and 2 for usage errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cli-'));
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from([0, 159, 146, 150, 1, 2, 3]));
    const bad = cli('inspect', junk, '--json');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('junk.bin: not a dataset');

    const missing = cli('inspect', join(dir, 'missing.parquet'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing.parquet: no such file (ENOENT)');

    expect(cli('inspect').code).toBe(2);
    expect(cli('frobnicate').code).toBe(2);
  });
});

describe('cli --help', () => {
  it('every command answers --help and -h with its usage on stdout and exit code 0', () => {
    for (const command of ['inspect', 'dedup', 'knn', 'train']) {
      for (const flag of ['--help', '-h']) {
        const r = cli(command, flag);
        expect(r.code, `${command} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: npm run cli -- ${command}`));
        expect(r.stderr).toBe('');
      }
    }
    expect(cli('-h').code).toBe(0);
  }, 120_000);

  it(
    'train --help lists the models, optimizers, Lookahead, schedules, backends, engines, precisions and ' +
      'every config key',
    async () => {
      const { MODEL_TYPES } = await import('../core/train/model');
      const { OPTIMIZER_NAMES, SCHEDULE_TYPES } = await import('../core/train/optimizer-spec');
      const { BACKENDS } = await import('../core/train/run-config');
      const { ENGINES, PRECISIONS } = await import('../core/train/record');
      const r = cli('train', '--help');
      for (const word of [
        ...MODEL_TYPES,
        ...OPTIMIZER_NAMES,
        ...SCHEDULE_TYPES,
        ...BACKENDS,
        ...ENGINES,
        ...PRECISIONS,
        'lookahead',
        'clipNorm',
      ])
        expect(r.stdout).toContain(word);
      const keys = /config file keys: (.*)/.exec(r.stdout)![1].split(', ');
      for (const key of [
        'model',
        'optimizer',
        'batchSize',
        'epochs',
        'seed',
        'backend',
        'prefetch',
        'targetLoss',
        'maxSteps',
        'label',
        'features',
        'split',
        'data',
        'precision',
        'engine',
      ])
        expect(keys).toContain(key);
    },
    60_000,
  );
});
