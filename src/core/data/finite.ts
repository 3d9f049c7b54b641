import { DataError, type DataTable } from './table';

/** Non-finite values found in one numeric column. */
export interface NonFiniteReport {
  column: string;
  nan: number;
  infinity: number;
  negativeInfinity: number;
}

/**
 * Lists the numeric columns that hold NaN or +-Infinity among their present values. Readers
 * keep such values as they are (the CSV literals `NaN`, `Infinity`, `-Infinity`), so that
 * this check, rather than a silent conversion, decides what to do with them.
 */
export function checkFinite(table: DataTable): NonFiniteReport[] {
  const out: NonFiniteReport[] = [];
  for (const col of table.columns) {
    if (col.kind !== 'numeric' || (col.type !== 'float' && col.type !== 'timestamp')) continue;
    const { values, valid } = col;
    let nan = 0;
    let inf = 0;
    let negInf = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x - x === 0 || (valid !== null && valid[i] === 0)) continue;
      if (x !== x) nan++;
      else if (x > 0) inf++;
      else negInf++;
    }
    if (nan + inf + negInf > 0) out.push({ column: col.name, nan, infinity: inf, negativeInfinity: negInf });
  }
  return out;
}

/**
 * Throws a DataError naming the file and every column with non-finite values, with counts,
 * e.g. `data.csv: column "x" holds 2 NaN, 1 Infinity (non-finite numbers cannot be trained on)`.
 */
export function assertFinite(table: DataTable): void {
  const found = checkFinite(table);
  if (found.length === 0) return;
  const parts = found.map((r) => {
    const counts = [
      r.nan && `${r.nan} NaN`,
      r.infinity && `${r.infinity} Infinity`,
      r.negativeInfinity && `${r.negativeInfinity} -Infinity`,
    ].filter(Boolean);
    return `column "${r.column}" holds ${counts.join(', ')}`;
  });
  throw new DataError(
    `${table.name}: ${parts.join('; ')} (non-finite numbers cannot be trained on; remove them or mark them missing)`,
  );
}
