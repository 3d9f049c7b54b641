import { defaultFeatures, defaultLabel, encodeTable } from '../../core/data/encode';
import { binarySearch, hashedColumns, nearestRows, neighbourIndex } from '../../core/data/quality';
import { DataError } from '../../core/data/table';
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
  const label = typeof labelFlag === 'string' ? labelFlag : defaultLabel(table);
  const features = nameListFlag(args, 'features') ?? defaultFeatures(table, label);
  // Only distances matter here: a label with a single class (a filter that keeps one species) is fine.
  const enc = encodeTable(table, { label, features }, { train: 1, val: 0, test: 0, seed: 1 }, { anyClasses: true });
  // --where: rows stay the file's; the query row must be one the filter keeps, its neighbours are among them.
  const at = filtered ? binarySearch(filtered.rows, row) : row;
  if (row < 0 || (!filtered && row >= table.rows))
    throw new DataError(`${file}: row ${row} does not exist (rows 0 to ${table.rows - 1})`);
  if (filtered && at < 0) throw new DataError(`${file}: row ${row} is not one the filter ${filtered.where} keeps`);
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
