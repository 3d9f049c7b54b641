import { readFile } from 'node:fs/promises';
import { readTable } from '../../core/data/read';
import { tableStats } from '../../core/data/stats';
import { DataError, type DataTable } from '../../core/data/table';
import { UsageError, type ParsedArgs } from '../args';

/** Reads the FILE argument of a command into a table, with a one-line error naming the file. */
export async function loadTableArg(args: ParsedArgs, usage: string): Promise<{ file: string; table: DataTable }> {
  const file = args.positionals[0];
  if (!file) throw new UsageError(`needs a FILE: ${usage}`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DataError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { file, table: readTable(bytes, file) };
}

/** Reads a file the way the workbench does and describes every column. */
export async function inspect(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const { file, table } = await loadTableArg(args, 'npm run cli -- inspect FILE [--json]');
  const columns = tableStats(table).map(({ name, type, nulls, min, max, mean, distinct }) => ({ name, type, nulls, min, max, mean, distinct }));
  const json = { file, format: table.format, rows: table.rows, columns };
  const pad = (s: string, n: number) => s.padEnd(n);
  const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(6));
  const width = Math.max(6, ...columns.map((c) => c.name.length)) + 2;
  const text = [
    `${file}: ${table.format}, ${table.rows} rows, ${columns.length} columns`,
    `${pad('column', width)}${pad('type', 13)}${pad('nulls', 9)}${pad('min', 14)}${pad('max', 14)}${pad('mean', 14)}distinct`,
    ...columns.map((c) => `${pad(c.name, width)}${pad(c.type, 13)}${pad(String(c.nulls), 9)}${pad(fmt(c.min), 14)}${pad(fmt(c.max), 14)}${pad(fmt(c.mean), 14)}${c.distinct}`),
  ].join('\n');
  return { json, text };
}
