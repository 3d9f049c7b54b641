import { DataError, type CategoricalColumn, type Column, type DataTable, type NumericColumn } from './table';
import { StringDictionary } from './dictionary';

/**
 * Appends tables with the same columns (same names, same kinds, in the same order), as when a
 * dataset comes in several files. Categorical dictionaries are merged and codes remapped; a
 * numeric column keeps the widest array type among the parts.
 */
export function concatTables(tables: readonly DataTable[], name: string): DataTable {
  if (tables.length === 0) throw new DataError(`${name}: no tables to combine`);
  if (tables.length === 1) return tables[0];
  const first = tables[0];
  const sig = (t: DataTable) =>
    t.columns.map((c) => `${c.name}:${c.kind === 'categorical' ? 'categorical' : 'numeric'}`).join(', ');
  for (const t of tables.slice(1)) {
    if (sig(t) !== sig(first)) {
      throw new DataError(
        `${t.name} and ${first.name} have different columns, so they cannot be ` +
          `one dataset (${t.name}: ${sig(t)}; ${first.name}: ${sig(first)})`,
      );
    }
  }
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const columns: Column[] = first.columns.map((c, i) => {
    const parts = tables.map((t) => t.columns[i]);
    return c.kind === 'categorical'
      ? concatCategorical(parts as CategoricalColumn[], rows)
      : concatNumeric(parts as NumericColumn[], rows);
  });
  // Columns left out of any part, each once.
  const skipped = [...new Map(tables.flatMap((t) => t.skipped ?? []).map((k) => [k.name, k])).values()];
  return { name, format: first.format, rows, columns, ...(skipped.length ? { skipped } : {}) };
}

function concatCategorical(parts: CategoricalColumn[], rows: number): CategoricalColumn {
  const dict = new StringDictionary();
  const codes = new Int32Array(rows);
  let at = 0;
  for (const p of parts) {
    const remap = dict.remap(p.dictionary);
    for (let i = 0; i < p.codes.length; i++) codes[at + i] = p.codes[i] < 0 ? -1 : remap[p.codes[i]];
    at += p.codes.length;
  }
  return { kind: 'categorical', name: parts[0].name, type: 'categorical', codes, dictionary: dict.strings };
}

function concatNumeric(parts: NumericColumn[], rows: number): NumericColumn {
  const sameType = parts.every((p) => p.type === parts[0].type);
  const sameArray = parts.every((p) => p.values.constructor === parts[0].values.constructor);
  const values = sameArray
    ? new (parts[0].values.constructor as Float64ArrayConstructor)(rows)
    : new Float64Array(rows);
  const anyNull = parts.some((p) => p.valid !== null);
  const valid = anyNull ? new Uint8Array(rows).fill(1) : null;
  let at = 0;
  for (const p of parts) {
    values.set(p.values, at);
    if (valid && p.valid) valid.set(p.valid, at);
    at += p.values.length;
  }
  return { kind: 'numeric', name: parts[0].name, type: sameType ? parts[0].type : 'float', values, valid };
}
