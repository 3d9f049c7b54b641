import { counted } from '../../core/errors';
import { dateStatText, tableStats } from '../../core/data/stats';
import type { DataTable } from '../../core/data/table';
import { timeLimitSeconds, UsageError, type ParsedArgs } from '../args';
import { decodeFile, DEFAULT_TIME_LIMIT_S } from '../decode';
import { columnIndex, filterRows, parseWhere, tableRows } from '../../core/data/filter';

/**
 * Reads the FILE argument of a command into a table: decoded in a worker thread under
 * `--time-limit` (decode.ts); a bad file is a DataError naming it.
 */
export async function loadTableArg(
  args: ParsedArgs,
  usage: string,
): Promise<{
  file: string;
  table: DataTable;
  filtered: { text: string; where: string; rows: Int32Array; notes: string[] } | null;
}> {
  const file = args.positionals[0];
  if (!file) throw new UsageError(`needs a FILE: ${usage}`);
  const where = whereFlag(args);
  const { table } = await decodeFile(file, file, timeLimitSeconds(args, DEFAULT_TIME_LIMIT_S), groupFlag(args));
  if (!where) return { file, table, filtered: null };
  // --where: the command sees the rows the filter keeps (the range index answers selective conditions).
  const { rows, notes } = filterRows(table, where, columnIndex);
  const said = notes.length ? `; ${notes.join('; ')}` : '';
  return {
    file,
    table: tableRows(table, rows),
    filtered: { text: `${rows.length} of ${table.rows} rows kept by the filter ${where}${said}`, where, rows, notes },
  };
}

/** `--group PATH`: the HDF5 group to read (default: the one with the most rows), or undefined. */
export function groupFlag(args: ParsedArgs): string | undefined {
  const v = args.flags.get('group');
  if (v === undefined) return undefined;
  if (v === true) throw new UsageError('--group needs an HDF5 group path, such as --group /train');
  return v;
}

/** `--where FILTER`, checked (a FilterError says where it goes wrong), or null. */
export function whereFlag(args: ParsedArgs): string | null {
  const v = args.flags.get('where');
  if (v === undefined) return null;
  if (v === true) throw new UsageError('--where needs a filter, such as --where "delay > 30 and distance < 800"');
  parseWhere(v);
  return v;
}

/** Reads a file the way the workbench does and describes every column. */
export async function inspect(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const { file, table, filtered } = await loadTableArg(args, 'npm run cli -- inspect FILE [--where F] [--json]');
  const columns = tableStats(table).map(({ name, type, nulls, min, max, mean, distinct, nonFinite, bytes }) => ({
    name,
    type,
    nulls,
    min,
    max,
    mean,
    distinct,
    // NaN and infinities: kept as values, left out of min, max and mean; training on them is refused.
    ...(nonFinite ? { nonFinite } : {}),
    // Raw bytes hashed into buckets: a feature only when named (--features).
    ...(bytes ? { bytes: true } : {}),
  }));
  const skipped = [...(table.skipped ?? [])];
  const json = {
    file,
    format: table.format,
    rows: table.rows,
    ...(filtered ? { where: filtered.where, ...(filtered.notes.length ? { filterNotes: filtered.notes } : {}) } : {}),
    columns,
    skipped,
    ...(table.hdf5 ? { hdf5: table.hdf5 } : {}),
    ...(table.images?.length ? { images: table.images } : {}),
  };
  const pad = (s: string, n: number) => s.padEnd(n);
  // Dates and timestamps as the Data panel shows them (the JSON keeps days and milliseconds).
  const fmt = (v: number | null, type: string) =>
    v === null ? '-' : (dateStatText(type, v) ?? (Number.isInteger(v) ? String(v) : v.toPrecision(6)));
  const width = Math.max(6, ...columns.map((c) => c.name.length)) + 2;
  const cells = columns.map((c) => [fmt(c.min, c.type), fmt(c.max, c.type), fmt(c.mean, c.type)]);
  const w = Math.max(14, ...cells.flat().map((t) => t.length + 2));
  const text = [
    `${file}: ${table.format}, ${counted(table.rows, 'row')}, ${counted(columns.length, 'column')}${filtered ? ` (${filtered.text})` : ''}`,
    `${pad('column', width)}${pad('type', 13)}${pad('nulls', 9)}${pad('min', w)}${pad('max', w)}${pad('mean', w)}distinct`,
    ...columns.map(
      (c, i) =>
        `${pad(c.name, width)}${pad(c.bytes ? 'bytes,hashed' : c.type, 13)}${pad(String(c.nulls), 9)}` +
        `${cells[i].map((t) => pad(t, w)).join('')}${c.distinct}`,
    ),
    ...columns.flatMap((c) =>
      c.nonFinite
        ? [
            `column ${c.name}: ${counted(c.nonFinite, 'non-finite value')} (NaN or Infinity), left out of min, max and mean ` +
              '(distinct counts them); a run that trains on this column is refused until they are removed or marked missing',
          ]
        : [],
    ),
    ...(skipped.length
      ? [`skipped (${skipped.length}):`, ...skipped.map((k) => `  ${k.name} (${k.type}): ${k.reason}`)]
      : []),
    ...(table.hdf5
      ? [`HDF5 group ${table.hdf5.group} (groups with a table: ${table.hdf5.groups.join(', ')}; --group picks one)`]
      : []),
    ...(table.images ?? []).map((im) => `image ${im.name}: ${im.shape.join(' x ')} (h x w x c) per row`),
  ].join('\n');
  return { json, text };
}

/** `1 row`, `2 rows` (src/core/errors.ts; here too for the CLI's commands). */
export { counted };
