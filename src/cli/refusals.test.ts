/**
 * The CLI's refusals, as a user meets them (issue 12: 19 of 20 printed apache-arrow or V8
 * text). Damaged and wrong inputs are built here, each command is spawned on them like
 * `npm run cli` runs it, and every answer must be: exit 1, nothing on stdout, one line on
 * stderr that starts with the command, names the file and carries no library or V8 text.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_TEXT } from './errors';
import { runCli, runCommand, type CliResult } from './cli-process.test-support';

type Result = CliResult;

const cli = runCli;

/** Runs the jobs two at a time (the machine has two cores). */
async function pool<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all([lane(), lane()]);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'tb-refuse-'));
const put = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

/** A seeded byte generator (xorshift), so damaged files are the same on every run. */
function damage(bytes: Uint8Array, seed: number, count: number): Uint8Array {
  const out = bytes.slice();
  let s = seed >>> 0 || 1;
  for (let k = 0; k < count; k++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const at = 8 + ((s >>> 0) % (out.length - 16));
    out[at] ^= 0xff;
  }
  return out;
}

async function inputs(): Promise<Record<string, string>> {
  const { Table, vectorFromArray, Float64, Int32, Utf8, tableToIPC } = await import('apache-arrow');
  const { Compression, writeFixture } = await import('../core/data/parquet/fixtures/synthetic');
  const n = 2000;
  const t = new Table({
    f: vectorFromArray(
      Array.from({ length: n }, (_, i) => i * 1.5),
      new Float64(),
    ),
    i: vectorFromArray(
      Array.from({ length: n }, (_, i) => i % 7),
      new Int32(),
    ),
    s: vectorFromArray(
      Array.from({ length: n }, (_, i) => ['a', 'bb', 'ccc'][i % 3]),
      new Utf8(),
    ),
  });
  const arrowFile = tableToIPC(t, 'file');
  const arrowStream = tableToIPC(t, 'stream');
  const parquet = writeFixture(t, { compression: Compression.SNAPPY, dictionary: true });
  const png = readFileSync('docs/screenshots/compare.png').subarray(0, 4096);
  mkdirSync(join(dir, 'a-folder.csv'), { recursive: true });
  return {
    'a missing file': join(dir, 'missing.parquet'),
    'a directory': join(dir, 'a-folder.csv'),
    'a zero-byte CSV file': put('zero.csv', ''),
    'a zero-byte file without an extension': put('zero', ''),
    'text with an unknown extension': put('notes.xyz', 'hello world\nthis is not a table\n'),
    'binary junk with an unknown extension': put('junk.bin', new Uint8Array([0, 159, 146, 150, 1, 2, 3, 4, 5])),
    'an Arrow file cut in half': put('half.arrow', arrowFile.subarray(0, arrowFile.length >> 1)),
    'an Arrow file without its last 10 bytes': put('short.arrow', arrowFile.subarray(0, arrowFile.length - 10)),
    'an Arrow file with 40 bytes flipped': put('flipped.arrow', damage(arrowFile, 7, 40)),
    'an Arrow file cut inside its first message': put('head.arrow', arrowFile.subarray(0, 24)),
    'an Arrow stream cut at 60 %': put('cut.arrows', arrowStream.subarray(0, Math.floor(arrowStream.length * 0.6))),
    'a Parquet file cut in half': put('half.parquet', parquet.subarray(0, parquet.length >> 1)),
    'a Parquet file without its last byte': put('short.parquet', parquet.subarray(0, parquet.length - 1)),
    'a Parquet file with its data overwritten': put(
      'smashed.parquet',
      (() => {
        const b = parquet.slice();
        b.fill(0xff, 64, 64 + 256);
        return b;
      })(),
    ),
    'a CSV file cut inside a quoted field': put('cut.csv', 'a,b,c\n1,2,"three\n4,5,"si'),
    'a CSV file of ragged rows': put('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n'),
    'a PNG image named .csv': put('image.csv', png),
    'a JSON file cut in the middle': put('cut.json', '[{"a": 1, "b": "x"}, {"a": 2, "b":'),
    'NDJSON with a broken line': put('broken.ndjson', '{"a": 1}\n{"a": 2\n{"a": 3}\n'),
    'CSV text named .arrow': put('text.arrow', 'a,b\n1,2\n3,4\n'),
    'JSON text named .parquet': put('records.parquet', '[{"a": 1}, {"a": 2}]'),
    'a PNG image named .parquet': put('image.parquet', png),
  };
}

/** What every refusal must look like; `named` is how the file appears in the line. */
function expectRefusal(r: Result, command: string, named: string, what: string): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(r.code, `${what}: ${r.stderr}`).toBe(1);
  expect(r.stdout, what).toBe('');
  expect(lines, what).toHaveLength(1);
  expect(lines[0].startsWith(`${command}: `), `${what}: ${lines[0]}`).toBe(true);
  expect(lines[0], what).toContain(named);
  expect(lines[0], what).not.toMatch(ENGINE_TEXT);
  // Each of these is the file's fault, and the CLI says how: none is an unexplained internal error.
  expect(lines[0], what).not.toContain('internal error');
}

describe('cli refusals of damaged and wrong files', () => {
  it('inspect: exit 1 and one line naming the file and what is wrong, for every damaged input', async () => {
    const cases = Object.entries(await inputs());
    const results = await pool(cases, ([, path]) => cli(['inspect', path, '--json']));
    cases.forEach(([what, path], i) => expectRefusal(results[i], 'inspect', path, what));
  }, 300_000);

  it(
    'dedup, knn and train refuse the same way (train names the file by its base name, as in its ' + 'run record)',
    async () => {
      const all = await inputs();
      const some = [
        'a missing file',
        'a directory',
        'an Arrow file cut in half',
        'a Parquet file cut in half',
        'a JSON file cut in the middle',
      ];
      const runs = some.flatMap((what) => {
        const path = all[what];
        return [
          { what, command: 'dedup', named: path, args: ['dedup', path, '--json'] },
          { what, command: 'knn', named: path, args: ['knn', path, '--k', '2', '--row', '0', '--json'] },
          {
            what,
            command: 'train',
            named: path.split('/').pop()!,
            args: ['train', '--data', path, '--backend', 'cpu', '--epochs', '1', '--json'],
          },
        ];
      });
      const results = await pool(runs, (r) => cli(r.args));
      runs.forEach((run, i) => expectRefusal(results[i], run.command, run.named, `${run.command} on ${run.what}`));
    },
    600_000,
  );

  it('through npm run cli, as the README shows it, the refusal is the same one line', async () => {
    const path = (await inputs())['an Arrow stream cut at 60 %'];
    const r = await runCommand('npm', ['run', '--silent', 'cli', '--', 'inspect', path, '--json']);
    expectRefusal(r, 'inspect', path, 'npm run cli on a cut stream');
    expect(r.stderr).toMatch(/the Arrow stream is cut off in the middle of a record batch/);
  }, 120_000);

  it(
    'reads a file by its first bytes whatever its extension says (Parquet named .csv, Arrow ' + 'named .json)',
    async () => {
      const { Table, vectorFromArray, Float64, tableToIPC } = await import('apache-arrow');
      const { Compression, writeFixture } = await import('../core/data/parquet/fixtures/synthetic');
      const t = new Table({ x: vectorFromArray([1, 2, 3], new Float64()) });
      const files = [
        put('really-parquet.csv', writeFixture(t, { compression: Compression.UNCOMPRESSED })),
        put('really-arrow.json', tableToIPC(t, 'file')),
      ];
      const results = await pool(files, (f) => cli(['inspect', f, '--json']));
      expect(
        results.map((r) => [r.code, r.stderr, (JSON.parse(r.stdout || '{}') as { format?: string }).format]),
      ).toEqual([
        [0, '', 'parquet'],
        [0, '', 'arrow'],
      ]);
    },
    120_000,
  );
});

describe('cli usage errors and internal errors', () => {
  it('usage errors exit 2 with one line naming the command; --help exits 0', async () => {
    const cases: [string[], string, RegExp][] = [
      [[], 'cli', /^cli: needs a command first/],
      [['frobnicate'], 'cli', /^cli: unknown command "frobnicate" \(commands: inspect, dedup, knn, train/],
      [['bench', 'csv'], 'cli', /^cli: benchmarks run as scripts: npx tsx bench\/<stage>\.ts/],
      [['inspect'], 'inspect', /^inspect: needs a FILE/],
      [
        ['inspect', 'public/datasets/penguins.arrow', '--time-limit', 'soon'],
        'inspect',
        /^inspect: --time-limit needs a number of seconds above 0, got "soon"/,
      ],
      [
        ['dedup', 'public/datasets/penguins.arrow', '--time-limit', '0'],
        'dedup',
        /^dedup: --time-limit needs a number/,
      ],
      [['knn', 'public/datasets/penguins.arrow', '--row', '1'], 'knn', /^knn: --k needs a whole number/],
      [['train'], 'train', /^train: train needs --data FILE/],
      // A flag no command reads is refused, not ignored (it trained with the default batch before).
      [
        ['train', '--data', 'public/datasets/penguins.arrow', '--batch-size', '64'],
        'train',
        /^train: unknown flag --batch-size \(did you mean --batch\?\); --help lists the flags/,
      ],
      [
        ['inspect', 'public/datasets/penguins.arrow', '--wehre', 'x > 1'],
        'inspect',
        /unknown flag --wehre \(did you mean --where\?\)/,
      ],
      // A flag of another command is refused, not ignored: train read no --features (it trained on
      // the default features), inspect no --epochs, export of a run record no training flag.
      [
        ['inspect', 'public/datasets/penguins.arrow', '--epochs', '5'],
        'inspect',
        /^inspect: inspect does not take --epochs \(train, sweep, export do\); inspect takes --where --group$/m,
      ],
      [
        ['train', '--data', 'public/datasets/penguins.arrow', '--k', '5'],
        'train',
        /^train: train does not take --k \(knn does\); npm run cli -- train --help lists the flags it takes$/m,
      ],
      [
        ['dedup', 'public/datasets/penguins.arrow', '--label', 'Species'],
        'dedup',
        /^dedup: dedup does not take --label \(knn, train, sweep, export do\)/,
      ],
      [
        ['quantize', 'run.json', '--data', 'public/datasets/penguins.arrow', '--epochs', '2'],
        'quantize',
        /^quantize: quantize does not take --epochs/,
      ],
      [
        ['sweep', '--config', 'x.json', '--data', 'public/datasets/penguins.arrow', '--bloom'],
        'sweep',
        /^sweep: sweep does not take --bloom \(dedup does\)/,
      ],
      // A list of names with an empty one, or one twice (knn weighed that column twice).
      [
        ['knn', 'public/datasets/penguins.arrow', '--k', '3', '--row', '0', '--features', 'Island,Island'],
        'knn',
        /^knn: --features names "Island" twice$/m,
      ],
      [
        ['dedup', 'public/datasets/penguins.arrow', '--columns', 'Island,,Sex'],
        'dedup',
        /^dedup: --columns holds an empty name/,
      ],
      // A flag with no value read as absent (dedup over every column; the default label); a switch
      // given a value read as on.
      [
        ['dedup', 'public/datasets/penguins.arrow', '--columns'],
        'dedup',
        /^dedup: --columns needs column names, such as --columns a,b/,
      ],
      [
        ['train', '--data', 'public/datasets/penguins.arrow', '--label', '--epochs', '1'],
        'train',
        /^train: --label needs the name of the column to predict/,
      ],
      [
        ['inspect', 'public/datasets/penguins.arrow', '--where='],
        'inspect',
        /^inspect: --where needs a filter, such as/,
      ],
      [
        ['train', '--data', 'public/datasets/penguins.arrow', '--stream=false', '--epochs', '1'],
        'train',
        /^train: --stream is a switch and takes no value, got "false"/,
      ],
    ];
    const results = await pool(cases, ([args]) => cli(args));
    cases.forEach(([args, , line], i) => {
      const r = results[i];
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(line);
    });
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--time-limit SECONDS');
  }, 300_000);

  it('--group on a file that is not HDF5 is bad input naming the format', async () => {
    const r = await cli(['inspect', 'public/datasets/penguins.arrow', '--group', '/x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'inspect: public/datasets/penguins.arrow: a group is read from HDF5 files only; this is an arrow file\n',
    );
  });

  it('an unexpected exception is one line without its text, and --debug adds the stack', async () => {
    const { describeFailure } = await import('./errors');
    const { DataError } = await import('../core/data/table');
    const { InternalError } = await import('./decode');
    let v8: unknown;
    try {
      v8 = (null as unknown as { fieldsLength: number }).fieldsLength;
    } catch (e) {
      v8 = e;
    }
    expect(describeFailure('inspect', 'x.arrow', v8)).toMatchObject({
      line: 'inspect: x.arrow: failed (internal error; rerun with --debug for details)',
      code: 1,
    });
    expect(describeFailure('inspect', 'x.arrow', v8).detail).toContain('fieldsLength');
    expect(describeFailure('inspect', 'x.arrow', new InternalError('x.arrow: could not be read', 'stack')).line).toBe(
      'inspect: x.arrow: could not be read (internal error; rerun with --debug for details)',
    );
    // A reader that quotes a library's text in parentheses loses the quote, not the message.
    const wrapped = new DataError(
      "x.arrow: could not be decoded as arrow (Cannot read properties of null (reading 'fieldsLength'))",
    );
    expect(describeFailure('inspect', 'x.arrow', wrapped).line).toBe('inspect: x.arrow: could not be decoded as arrow');
    expect(describeFailure('inspect', 'x.arrow', new DataError('x.arrow: offset is out of bounds')).line).toBe(
      'inspect: x.arrow: could not be read (internal error; rerun with --debug for details)',
    );
    // A message of ours that does not name the file gets it in front.
    expect(describeFailure('knn', 'p.csv', new DataError('the label column is empty')).line).toBe(
      'knn: p.csv: the label column is empty',
    );
    expect(
      describeFailure(
        'train',
        'p.csv',
        new (await import('../core/train/errors')).ConfigError('batchSize', 'must be at least 1'),
      ).line,
    ).toBe('train: batchSize: must be at least 1');
    // The GPU's failures are the user's to read; a RangeError (an assert) is internal, whatever its text says.
    const { GpuError } = await import('../gpu/errors');
    expect(describeFailure('train', 'p.csv', new GpuError('the wgsl engine hit a GPU error: out of memory')).line).toBe(
      'train: the wgsl engine hit a GPU error: out of memory',
    );
    expect(
      describeFailure('train', 'p.csv', new RangeError('batch size 5000 is larger than the 8 training rows')).line,
    ).toBe('train: p.csv: failed (internal error; rerun with --debug for details)');

    const dir2 = mkdtempSync(join(tmpdir(), 'tb-debug-'));
    const bad = join(dir2, 'bad.arrow');
    writeFileSync(bad, 'a,b\n1,2\n');
    const r = await cli(['inspect', bad, '--debug']);
    expect(r.code).toBe(1);
    const [first, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(/^inspect: .*bad\.arrow: /);
    expect(rest.join('\n')).toMatch(/DataError: .*\n\s+at /);
  }, 120_000);
});
