import type { DataTable } from '../table';
import { DataError } from '../table';

/**
 * The two halves of a reader fuzz campaign. A child process (`*-fuzz-child.ts`) builds seeded
 * cases, reads each with the reader and prints one JSON line per case (`runCases`); the parent
 * test runs it with a time and heap limit and judges the lines (`judge`). A hang shows as the
 * child stopped, its last line naming the case before; a memory blow-up as the heap limit.
 */

/** Text only V8 or a library would write: it must never reach the user. */
export const INTERNAL_TEXT =
  /Cannot read|Cannot destructure|undefined|is not a function|is not iterable|Maximum call stack|Invalid (array|string|typed array) length|out of memory|Unexpected token|Unexpected end of JSON|Unexpected non-whitespace|in JSON at position|is not valid JSON|\[object /i;

/** A case that ran longer than this counts as a hang (the readers take milliseconds a case). */
export const HANG_MS = 10_000;

/** One case's result, as the child prints it. */
export interface CaseLine {
  i: number;
  /** `table`, `DataError`, `bad table` (a table that breaks its own invariants) or the name of another error. */
  outcome: string;
  message: string;
  bytes: number;
  /** Time the reader took (not the check after it). */
  ms: number;
}

/** What is structurally wrong with a table a reader returned ('' when nothing). */
export function tableProblems(t: DataTable): string {
  if (!(t.rows > 0) || t.columns.length === 0) return `${t.rows} rows, ${t.columns.length} columns`;
  for (const col of t.columns) {
    if (col.kind === 'categorical') {
      if (col.codes.length !== t.rows) return `column ${col.name}: ${col.codes.length} codes for ${t.rows} rows`;
      for (const c of col.codes)
        if (c < -1 || c >= col.dictionary.length) return `column ${col.name}: code ${c} outside its dictionary`;
    } else {
      if (col.values.length !== t.rows) return `column ${col.name}: ${col.values.length} values for ${t.rows} rows`;
      if (col.valid !== null && col.valid.length !== t.rows)
        return `column ${col.name}: ${col.valid.length} validity bytes for ${t.rows} rows`;
    }
  }
  return '';
}

/** A case: the bytes to read and the file name they are read under. */
export interface FuzzCase {
  name: string;
  bytes: Uint8Array;
}

/**
 * The child's loop: reads `cases` cases with `read`, prints a `CaseLine` for each. `check` may
 * add what is wrong with a table beyond its structure (against a reference decoding). With
 * `dump` set, prints that case's bytes (base64) instead, to study a failure.
 */
export function runCases(
  cases: number,
  make: (i: number) => FuzzCase,
  read: (bytes: Uint8Array, name: string) => DataTable,
  check?: (t: DataTable, c: FuzzCase) => string,
  dump?: number,
): void {
  for (let i = 0; i < cases; i++) {
    const c = make(i);
    if (dump !== undefined && !Number.isNaN(dump)) {
      if (dump !== i) continue;
      process.stdout.write(Buffer.from(c.bytes).toString('base64'));
      return;
    }
    let outcome = 'table';
    let message = '';
    const t0 = performance.now();
    let ms = 0;
    try {
      const t = read(c.bytes, c.name);
      ms = performance.now() - t0;
      message = tableProblems(t) || (check?.(t, c) ?? '');
      if (message) outcome = 'bad table';
    } catch (e) {
      ms ||= performance.now() - t0;
      outcome = e instanceof DataError ? 'DataError' : e instanceof Error ? e.name : typeof e;
      message = e instanceof Error ? e.message : String(e);
    }
    const line: CaseLine = { i, outcome, message: message.slice(0, 2000), bytes: c.bytes.length, ms: Math.round(ms) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/** The sources the parent test wrote to the child's stdin (JSON: `[{ name, text }]`). */
export async function readSources(): Promise<FuzzCase[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; text: string }[];
  const enc = new TextEncoder();
  return list.map((s) => ({ name: s.name, bytes: enc.encode(s.text) }));
}

/** The parent's verdict on a child's output: the cases that went wrong, and counts by outcome. */
export function judge(stdout: string): {
  lines: CaseLine[];
  bad: CaseLine[];
  slow: CaseLine[];
  counts: Record<string, number>;
} {
  const lines = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CaseLine);
  const bad = lines.filter(
    (l) => (l.outcome !== 'table' && l.outcome !== 'DataError') || INTERNAL_TEXT.test(l.message),
  );
  const slow = lines.filter((l) => l.ms > HANG_MS);
  const counts: Record<string, number> = {};
  for (const l of lines) counts[l.outcome] = (counts[l.outcome] ?? 0) + 1;
  return { lines, bad, slow, counts };
}
