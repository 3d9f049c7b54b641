import { tableStats } from '../../core/data/stats';
import type { DataTable } from '../../core/data/table';
import { timeLimitSeconds, UsageError, type ParsedArgs } from '../args';
import { decodeFile, DEFAULT_TIME_LIMIT_S } from '../decode';

/**
 * Reads the FILE argument of a command into a table: decoded in a worker thread under
 * `--time-limit` (decode.ts); a bad file is a DataError naming it.
 */
export async function loadTableArg(args: ParsedArgs, usage: string): Promise<{ file: string; table: DataTable }> {
  const file = args.positionals[0];
  if (!file) throw new UsageError(`needs a FILE: ${usage}`);
  const { table } = await decodeFile(file, file, timeLimitSeconds(args, DEFAULT_TIME_LIMIT_S));
  return { file, table };
}

/** Reads a file the way the workbench does and describes every column. */
export async function inspect(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const { file, table } = await loadTableArg(args, 'npm run cli -- inspect FILE [--json]');
  const columns = tableStats(table).map(({ name, type, nulls, min, max, mean, distinct, bytes }) => ({
    name,
    type,
    nulls,
    min,
    max,
    mean,
    distinct,
    // Raw bytes hashed into buckets: a feature only when named (--features).
    ...(bytes ? { bytes: true } : {}),
  }));
  const skipped = [...(table.skipped ?? [])];
  const json = { file, format: table.format, rows: table.rows, columns, skipped };
  const pad = (s: string, n: number) => s.padEnd(n);
  const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(6));
  const width = Math.max(6, ...columns.map((c) => c.name.length)) + 2;
  const text = [
    `${file}: ${table.format}, ${table.rows} rows, ${columns.length} columns`,
    `${pad('column', width)}${pad('type', 13)}${pad('nulls', 9)}${pad('min', 14)}${pad('max', 14)}${pad('mean', 14)}distinct`,
    ...columns.map(
      (c) =>
        `${pad(c.name, width)}${pad(c.bytes ? 'bytes,hashed' : c.type, 13)}${pad(String(c.nulls), 9)}${pad(fmt(c.min), 14)}${pad(fmt(c.max), 14)}${pad(fmt(c.mean), 14)}${c.distinct}`,
    ),
    ...(skipped.length
      ? [`skipped (${skipped.length}):`, ...skipped.map((k) => `  ${k.name} (${k.type}): ${k.reason}`)]
      : []),
  ].join('\n');
  return { json, text };
}
