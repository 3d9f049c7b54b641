import { defaultFeatures, encodeTable } from '../../core/data/encode';
import { binarySearch, hashedColumns, nearestRows, neighbourIndex } from '../../core/data/quality';
import { DataError, type DataTable } from '../../core/data/table';
import { nameListFlag, UsageError, type ParsedArgs } from '../args';
import { loadTableArg } from './inspect';

const USAGE = 'npm run cli -- knn FILE --k K --row I [--label L] [--features a,b] [--where F] [--json]';

function intFlag(args: ParsedArgs, name: string): number {
  const v = args.flags.get(name);
  const n = Number(v);
  if (v === undefined || v === true || !Number.isInteger(n))
    throw new UsageError(`--${name} needs a whole number: ${USAGE}`);
  return n;
}

/**
 * The k nearest rows to a row, on the same normalised features the trainer sees (numbers
 * standardised over all rows, small categoricals one-hot; the label and hashed
 * high-cardinality columns left out), by the KD-tree. The query row itself is excluded.
 */
export async function knn(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const { file, table, filtered } = await loadTableArg(args, USAGE);
  const k = intFlag(args, 'k');
  const row = intFlag(args, 'row');
  if (k < 1) throw new UsageError(`--k must be at least 1 (got ${k})`);
  const labelFlag = args.flags.get('label');
  // --label L: the trainer's view, L left out and rows missing it skipped. Without it no column is
  // a label: a guessed one (airports.csv's last number, its longitude) would drop a coordinate
  // from the distance, refuse --features that name it, and skip rows where it is missing.
  const { label, searched } = typeof labelFlag === 'string' ? { label: labelFlag, searched: table } : noLabel(table);
  const features = nameListFlag(args, 'features') ?? defaultFeatures(searched, label);
  // Only distances matter here: a label with a single class (a filter that keeps one species) is fine.
  const enc = encodeTable(searched, { label, features }, { train: 1, val: 0, test: 0, seed: 1 }, { anyClasses: true });
  // --where: rows stay the file's; the query row must be one the filter keeps, its neighbours are among them.
  const at = filtered ? binarySearch(filtered.rows, row) : row;
  if (row < 0 || (!filtered && row >= table.rows))
    throw new DataError(`${file}: row ${row} does not exist (rows 0 to ${table.rows - 1})`);
  if (filtered && at < 0)
    throw new DataError(
      `${file}: row ${row} is not one the filter ${filtered.where} keeps (${keptNear(filtered.rows, row)})`,
    );
  const neighbors = nearestRows(enc, neighbourIndex(enc), at, k).map((n) =>
    filtered ? { ...n, row: filtered.rows[n.row] } : n,
  );
  const notes = filtered?.notes.length ? { filterNotes: filtered.notes } : {};
  // Hashed text columns have no distance: the search leaves them out, and says so.
  const hashed = hashedColumns(enc);
  const used = features.filter((f) => !hashed.includes(f));
  const leftOut = hashed.length ? { leftOut: hashed } : {};
  const json = {
    file,
    row,
    k,
    ...(filtered ? { where: filtered.where, ...notes } : {}),
    features: used,
    ...leftOut,
    neighbors,
  };
  const text = [
    `${file}: ${neighbors.length} nearest rows to row ${row} over ${used.join(', ')}` +
      (filtered ? ` (among the ${filtered.text})` : '') +
      (neighbors.length < k ? ` (--k ${k} asked: no more rows to give)` : '') +
      (hashed.length
        ? `; left out, hashed text with too many distinct values to have a distance: ${hashed.join(', ')}`
        : ''),
    ...neighbors.map((n) => `  row ${n.row}  distance ${n.distance.toPrecision(5)}`),
  ].join('\n');
  return { json, text };
}

/**
 * The table with one more column, a label of one class present on every row under a name no
 * column has: the encoder wants a label, and this one drops no row and takes no feature.
 */
function noLabel(table: DataTable): { label: string; searched: DataTable } {
  const names = new Set(table.columns.map((c) => c.name));
  let label = '(no label)';
  for (let k = 2; names.has(label); k++) label = `(no label ${k})`;
  const column = {
    kind: 'categorical',
    name: label,
    type: 'categorical',
    codes: new Int32Array(table.rows),
    dictionary: [''],
  } as const;
  return { label, searched: { ...table, columns: [...table.columns, column] } };
}

/** The kept rows either side of a row the filter drops: `it keeps 124 rows; the nearest are 1 and 30`. */
export function keptNear(kept: Int32Array, row: number): string {
  if (kept.length === 0) return 'it keeps no rows';
  let lo = 0;
  let hi = kept.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (kept[mid] < row) lo = mid + 1;
    else hi = mid;
  }
  const near = [lo > 0 ? kept[lo - 1] : null, lo < kept.length ? kept[lo] : null].filter((r) => r !== null);
  const count = `it keeps ${kept.length} row${kept.length === 1 ? '' : 's'}`;
  return `${count}; the nearest ${near.length === 1 ? `is ${near[0]}` : `are ${near[0]} and ${near[1]}`}`;
}
