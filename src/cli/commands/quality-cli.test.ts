import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvParse } from 'd3-dsv';
import { describe, expect, it } from 'vitest';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const flightsJson = JSON.parse(readFileSync('node_modules/vega-datasets/data/flights-200k.json', 'utf8')) as Record<
  string,
  number
>[];

/**
 * The reference nearest rows: each column standardised in float64 over all rows (population
 * deviation), euclidean distance to `row` by a full scan, the row itself excluded: the `k` nearest distances.
 */
function bruteNearest(cols: number[][], row: number, k: number): number[] {
  const z = cols.map((v) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    return v.map((x) => (x - mean) / std);
  });
  const dist = (i: number) => Math.hypot(...z.map((c) => c[i] - c[row]));
  const order = cols[0]
    .map((_, i) => i)
    .filter((i) => i !== row)
    .sort((a, b) => dist(a) - dist(b) || a - b)
    .slice(0, k);
  return order.map(dist);
}

describe('cli dedup', () => {
  it('counts exact repeats of flights-200k like a Set of row strings of its JSON twin', () => {
    const r = cli('dedup', 'node_modules/vega-datasets/data/flights-200k.arrow', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const counts = new Map<string, number>();
    for (const row of flightsJson) {
      const k = `${row.delay}|${row.distance}|${Math.fround(row.time)}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(out).toMatchObject({
      rows: flightsJson.length,
      unique: counts.size,
      dropped: flightsJson.length - counts.size,
      method: 'exact',
    });
    expect(out.duplicateGroups).toBe([...counts.values()].filter((n) => n > 1).length);
  });

  it('with --bloom drops at least every repeat and reports its false-positive rate', () => {
    const exact = JSON.parse(cli('dedup', 'node_modules/vega-datasets/data/flights-200k.arrow', '--json').stdout);
    const r = cli('dedup', 'node_modules/vega-datasets/data/flights-200k.arrow', '--bloom', '--fpr', '0.01', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.method).toBe('bloom');
    expect(out.fpr).toBe(0.01);
    expect(out.dropped).toBeGreaterThanOrEqual(exact.dropped);
    expect(out.dropped - exact.dropped).toBeLessThan(exact.dropped + 4 * out.expectedFalseDrops + 20);
  });

  it('counts numbers by value (0 and -0, 1 and 1.0 and 1e0 are one) and says "1 group", "3 groups"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-dedup-'));
    const numbers = join(dir, 'numbers.csv');
    writeFileSync(numbers, 'a,b\n0,1\n-0,1\n1.0,1\n1,1\n1e0,1\n,1\n,1\n');
    // Reference: rows keyed by the value each cell is (JavaScript's Number, 0 and -0 alike), a missing cell as itself.
    const keys = ['0', '-0', '1.0', '1', '1e0', '', ''].map((a) => (a === '' ? 'missing' : String(Number(a) + 0)));
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    const sizes = [...counts.values()];
    expect(sizes.filter((n) => n > 1)).toHaveLength(3);
    const n = cli('dedup', numbers);
    expect(n.stdout).toContain(
      `7 rows, ${sizes.length} unique, ${7 - sizes.length} dropped as repeats (exact, 3 groups of repeats)`,
    );
    // One column of text: the cells are compared as written, only the two empty ones repeat.
    const text = join(dir, 'text.csv');
    writeFileSync(text, 'a,b\n0,1\n-0,1\n1.0,1\n1,1\nx,1\n,1\n,1\n');
    expect(cli('dedup', text).stdout).toContain('7 rows, 6 unique, 1 dropped as repeats (exact, 1 group of repeats)');
  });

  it('refuses a bad --fpr as a usage error', () => {
    expect(cli('dedup', 'public/datasets/penguins.arrow', '--bloom', '--fpr', '2').code).toBe(2);
  });
});

describe('cli knn', () => {
  it('returns the k nearest rows by brute force over standardised features, the row itself excluded', () => {
    const r = cli(
      'knn',
      'node_modules/vega-datasets/data/flights-200k.arrow',
      '--k',
      '5',
      '--row',
      '123',
      '--label',
      'delay',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { row: number; k: number; neighbors: { row: number; distance: number }[] };
    // Reference: float64 standardisation of distance and time over all rows, then a full scan.
    const cols = ['distance', 'time'].map((c) =>
      flightsJson.map((row) => (c === 'time' ? Math.fround(row[c]) : row[c])),
    );
    const distances = bruteNearest(cols, 123, 5);
    expect(out.neighbors.map((n) => n.distance)).toEqual(distances.map((d) => expect.closeTo(d, 4)));
    expect(out.neighbors.some((n) => n.row === 123)).toBe(false);
  });

  it('exits 1 for a row that does not exist and 2 without --k', () => {
    const bad = cli('knn', 'public/datasets/penguins.arrow', '--k', '3', '--row', '9999');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('row 9999 does not exist');
    expect(cli('knn', 'public/datasets/penguins.arrow', '--row', '1').code).toBe(2);
  });

  it('says so when --k asks for more rows than there are: every other row, each once', () => {
    const many = cli(
      'knn',
      'public/datasets/penguins.arrow',
      '--k',
      '100000',
      '--row',
      '30',
      '--where',
      "Island = 'Dream'",
    );
    expect(many.code).toBe(0);
    const rows = many.stdout.split('\n').filter((l) => l.startsWith('  row '));
    // penguins.arrow has 124 Dream rows: the query row and 123 others.
    expect(rows).toHaveLength(123);
    expect(new Set(rows.map((l) => l.split(/\s+/)[2])).size).toBe(123);
    expect(many.stdout).toContain('123 nearest rows to row 30');
    expect(many.stdout).toContain('(--k 100000 asked: no more rows to give)');
    expect(cli('knn', 'public/datasets/penguins.arrow', '--k', '3', '--row', '3').stdout).not.toContain('asked');
  });

  it('without --label no column is left out as one: a guessed label (airports.csv longitude) counts, brute force', () => {
    const airports = 'node_modules/vega-datasets/data/airports.csv';
    const rows = csvParse(readFileSync(airports, 'utf8'));
    const run = (...more: string[]) => {
      const r = cli('knn', airports, '--k', '4', '--row', '5', ...more, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { features: string[]; neighbors: { row: number; distance: number }[] };
    };
    // --features naming the column a label would have been guessed as is taken, not refused.
    const out = run('--features', 'latitude,longitude');
    expect(out.features).toEqual(['latitude', 'longitude']);
    // Reference: float64 standardisation over all rows, then a full scan.
    const cols = ['latitude', 'longitude'].map((c) => rows.map((r) => Number(r[c])));
    const distances = bruteNearest(cols, 5, 4);
    expect(out.neighbors.map((n) => n.distance)).toEqual(distances.map((d) => expect.closeTo(d, 4)));
    // The default features: every default feature, both coordinates among them; --label leaves one out.
    expect(run().features).toEqual(expect.arrayContaining(['latitude', 'longitude']));
    expect(run('--label', 'longitude').features).not.toContain('longitude');
    // A row missing the column a label would be guessed as is still searched (movies.json row 5).
    const movies = cli('knn', 'node_modules/vega-datasets/data/movies.json', '--k', '2', '--row', '5');
    expect(movies.code, movies.stderr).toBe(0);
    expect(movies.stdout).toContain('2 nearest rows to row 5');
  });

  it("leaves cars.json's Name (hashed text) out of the distance and says so; Name alone is refused", () => {
    const cars = 'node_modules/vega-datasets/data/cars.json';
    const rows = JSON.parse(readFileSync(cars, 'utf8')) as { Horsepower: number | null }[];
    const r = cli(
      'knn',
      cars,
      '--k',
      '3',
      '--row',
      '0',
      '--label',
      'Origin',
      '--features',
      'Name,Horsepower',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { features: string[]; leftOut: string[]; neighbors: { distance: number }[] };
    expect(out).toMatchObject({ features: ['Horsepower'], leftOut: ['Name'] });
    // Reference: |hp_i - hp_0| / std over the present values (a missing one sits at the mean).
    const hp = rows.map((c) => c.Horsepower).filter((v): v is number => v !== null);
    const mean = hp.reduce((a, b) => a + b, 0) / hp.length;
    const std = Math.sqrt(hp.reduce((a, b) => a + (b - mean) ** 2, 0) / hp.length);
    const dist = rows.slice(1).map((c) => Math.abs((c.Horsepower ?? mean) - rows[0].Horsepower!) / std);
    dist.sort((a, b) => a - b);
    expect(out.neighbors.map((n) => n.distance)).toEqual(dist.slice(0, 3).map((d) => expect.closeTo(d, 4)));
    const only = cli('knn', cars, '--k', '3', '--row', '0', '--features', 'Name');
    expect(only.code).toBe(1);
    expect(only.stderr.trim()).toMatch(/^knn: .*cars\.json: no feature has a distance: "Name" is text with too many/);
  });
});

describe('cli train --stream and --dedup', () => {
  it(
    'streams an Arrow file of many record batches: training starts on the first, every row is ' + 'used per epoch',
    async () => {
      const { Table, tableFromIPC, tableToIPC } = await import('apache-arrow');
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const t = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow'));
      const parts = Array.from({ length: 10 }, (_, k) => t.slice(k * 5000, (k + 1) * 5000)); // the first 50k rows, 10 batches
      const file = join(mkdtempSync(join(tmpdir(), 'tb-stream-')), 'flights.arrows');
      writeFileSync(file, tableToIPC(new Table(parts.flatMap((p) => p.batches)), 'stream'));
      const r = cli(
        'train',
        '--data',
        file,
        '--label',
        'delay',
        '--epochs',
        '2',
        '--batch',
        '500',
        '--backend',
        'cpu',
        '--stream',
        '--quiet',
        '--json',
      );
      expect(r.code, r.stderr).toBe(0);
      const record = JSON.parse(r.stdout) as {
        steps: { epoch: number }[];
        epochs: unknown[];
        summary: { status: string };
      };
      expect(record.summary.status).toBe('done');
      expect(record.epochs).toHaveLength(2);
      const perEpoch = record.steps.filter((s) => s.epoch === 0).length;
      // About 80 % of 50,000 rows in batches of 500 (the split is a seeded hash per row).
      expect(perEpoch).toBeGreaterThanOrEqual(Math.floor((40_000 * 0.97) / 500));
      expect(perEpoch).toBeLessThanOrEqual(Math.ceil((40_000 * 1.03) / 500));
    },
  );

  it('drops repeated rows before the split with --dedup exact and refuses an unknown mode', () => {
    const r = cli(
      'train',
      '--data',
      'node_modules/vega-datasets/data/flights-200k.arrow',
      '--label',
      'delay',
      '--epochs',
      '1',
      '--batch',
      '4096',
      '--backend',
      'cpu',
      '--dedup',
      'exact',
      '--quiet',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as { config: { data: { dedup: string } }; steps: unknown[] };
    expect(record.config.data.dedup).toBe('exact');
    const exact = JSON.parse(cli('dedup', 'node_modules/vega-datasets/data/flights-200k.arrow', '--json').stdout) as {
      unique: number;
    };
    // One epoch over 80 % of the unique rows.
    expect(record.steps.length).toBe(Math.ceil(Math.round(exact.unique * 0.8) / 4096));
    const bad = cli('train', '--data', 'public/datasets/penguins.arrow', '--dedup', 'maybe');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('data.dedup');
  });
});
