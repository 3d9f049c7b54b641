/**
 * Column names made unique for the text formats (a CSV header, JSON keys flattened into dotted
 * names): an empty name becomes `column_N` (N its position from 1), and a name met again gets
 * `_2`, `_3`, ... (the first keeps it), the suffix skipping every name given. The workbench picks
 * the label and features by name, so two columns of one name would make one stand for the other.
 * The binary readers keep the file's names and skip a later column of a name already read (Arrow,
 * Parquet, TFRecord) or prefix it with its dataset (HDF5).
 */
export function uniqueNames(names: readonly string[]): string[] {
  const out: string[] = [];
  const used = new Set<string>(names);
  const seen = new Set<string>();
  // The next suffix to try per name: 30,000 columns named alike cost 30,000 tries, not 450 million.
  const nextSuffix = new Map<string, number>();
  for (let c = 0; c < names.length; c++) {
    const name = names[c] === '' ? `column_${c + 1}` : names[c];
    let unique = name;
    if (seen.has(unique) || (names[c] === '' && used.has(unique))) {
      let n = nextSuffix.get(name) ?? 2;
      while (used.has((unique = `${name}_${n}`))) n++;
      nextSuffix.set(name, n + 1);
    }
    used.add(unique);
    seen.add(unique);
    out.push(unique);
  }
  return out;
}
