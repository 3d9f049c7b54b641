/**
 * Seeded fuzz of the Arrow IPC reader (issue: damaged files hung apache-arrow, allocated without
 * limit, or leaked its internal error text). Damaged files and streams (bit flips, overwritten
 * length fields, cuts, inserted and removed chunks) are read in a child process with a time and
 * heap limit: no hang, every failure a DataError in the file's terms, no library text.
 * `TRAINBENCH_FUZZ_CASES` sets the campaign size (npm run fuzz runs a longer one).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 1200);
/**
 * Conformance files damaged alongside the generated table: compressed bodies, decimals, nested
 * columns, run-end encoded columns and list views (rewritten before apache-arrow reads them),
 * dictionaries of structs.
 */
const CORPUS = [
  '2.0.0-compression/generated_lz4',
  '2.0.0-compression/generated_zstd',
  'cpp-21.0.0/generated_nested',
  'cpp-21.0.0/generated_decimal',
  'cpp-21.0.0/generated_run_end_encoded',
  'cpp-21.0.0/generated_list_view',
  'cpp-21.0.0/generated_nested_dictionary',
].flatMap((f) =>
  ['arrow_file', 'stream'].map((form) => ({
    name: `${f}.${form}`,
    base64: readFileSync(`src/fixtures/conformance/arrow-testing/${f}.${form}`).toString('base64'),
  })),
);
/** Text that only apache-arrow or V8 would write: it must never reach the user. */
const INTERNAL =
  /Cannot read|Cannot destructure|undefined|typed array|Float(32|64)Array|Int(8|16|32)Array|BigInt|not safe to convert|out of bounds|multiple of|fieldsLength|is not a function|Maximum call stack/i;

describe(`Arrow reader fuzz (${CASES} damaged files and streams)`, () => {
  it('no hang, no library error text: a DataError or a table for every case', () => {
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=1024', '--import', 'tsx', 'src/core/data/fuzz/arrow-fuzz-child.ts', '7', String(CASES)],
      {
        encoding: 'utf8',
        input: JSON.stringify(CORPUS),
        timeout: Math.max(60_000, CASES * 200),
        maxBuffer: 64 << 20,
      },
    );
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { i: number; outcome: string; message: string });
    const last = lines[lines.length - 1];
    expect(
      r.signal,
      `the child was stopped (a hang or memory blow-up) ` +
        `after case ${last?.i ?? 'none'}; stderr: ${r.stderr.slice(-500)}`,
    ).toBeNull();
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(lines).toHaveLength(CASES);
    const bad = lines.filter((l) => (l.outcome !== 'read' && l.outcome !== 'DataError') || INTERNAL.test(l.message));
    expect(bad.slice(0, 5)).toEqual([]);
    // The campaign damages files in ways the reader must notice (not everything reads).
    expect(lines.filter((l) => l.outcome === 'DataError').length).toBeGreaterThan(CASES / 4);
  }, 600_000);
});
