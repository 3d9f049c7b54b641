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

/**
 * The name among `names` that `given` was likely meant to be: the same but for case, else one edit
 * away for a short name, two from six characters ('7' is not 'AA', 'Drem' is 'Dream'); undefined
 * when none is (or `given` is over 64 characters).
 */
export function nearName(given: string, names: readonly string[]): string | undefined {
  if (given.length > 64) return undefined;
  const lower = given.toLowerCase();
  let near = names.find((d) => d.toLowerCase() === lower);
  if (near !== undefined) return near;
  let best = given.length >= 6 ? 3 : 2;
  for (const d of names) {
    if (Math.abs(d.length - given.length) >= best) continue;
    const k = editDistance(lower, d.toLowerCase(), best);
    if (k < best) [best, near] = [k, d];
  }
  return near;
}

/**
 * The columns whose last dotted part is `given`, case aside: JSON records are flattened into dotted
 * names (GeoJSON's `properties.mag`, `user.name`), and a user asks for the leaf they see in the
 * file. Empty when `given` itself has a dot or is empty.
 */
export function dottedLeaf(given: string, names: readonly string[]): string[] {
  if (given === '' || given.includes('.') || given.length > 64) return [];
  const tail = `.${given.toLowerCase()}`;
  return names.filter((d) => d.length > tail.length && d.toLowerCase().endsWith(tail));
}

/** A name's letters and digits, lower-cased: `Body Mass (g)`, `body_mass_g` and `BodyMassG` are one key. */
const wordKey = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * The columns `given` names in other words: the same letters and digits whatever the spaces,
 * underscores, dashes and case (`flipper_length_mm` for `Flipper Length (mm)`), or with the
 * column's trailing unit in brackets left out (`Body_Mass` for `Body Mass (g)`). Empty when
 * `given` has no letter or digit.
 */
export function sameWords(given: string, names: readonly string[]): string[] {
  const key = wordKey(given);
  if (key === '' || given.length > 64) return [];
  return names.filter((d) => wordKey(d) === key || wordKey(d.replace(/\s*[([][^()[\]]*[)\]]\s*$/u, '')) === key);
}

/**
 * `did you mean "Species"?; ` for a column name that is close to one of `names` (`nearName`), the
 * same words written otherwise (`sameWords`), or whose dotted leaf it is (`dottedLeaf`); up to
 * three are named; else nothing.
 */
export function nearText(given: string, names: readonly string[]): string {
  const near = nearName(given, names);
  if (near !== undefined) return `did you mean "${near}"?; `;
  const words = sameWords(given, names);
  if (words.length)
    return `did you mean ${words
      .slice(0, 3)
      .map((d) => `"${d}"`)
      .join(' or ')}?; `;
  const leaves = dottedLeaf(given, names);
  if (leaves.length === 0) return '';
  const quoted = leaves.slice(0, 3).map((d) => `"${d}"`);
  const more = leaves.length > 3 ? ` (${leaves.length} columns end in ".${given}")` : '';
  return `did you mean ${quoted.join(' or ')}${more}?; `;
}

/**
 * The field among `known` that `given` most likely means: `aliases` first (another library's word
 * for it, keyed lower-case: PyTorch's `lr` for `learningRate`), then a near spelling (`nearName`),
 * then the same words written otherwise when only one field has them (`learning_rate`).
 */
export function nearField(
  given: string,
  known: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const key = given.toLowerCase();
  const alias = Object.prototype.hasOwnProperty.call(aliases, key) ? aliases[key] : undefined;
  if (alias !== undefined && known.includes(alias)) return alias;
  const near = nearName(given, known);
  if (near !== undefined) return near;
  const words = sameWords(given, known);
  return words.length === 1 ? words[0] : undefined;
}

/** The first `max` names, comma-separated, with `, ...` and the count when there are more. */
export function someNames(names: readonly string[], max = 20): string {
  return names.length > max ? `${names.slice(0, max).join(', ')}, ... (${names.length} in all)` : names.join(', ');
}

/** Levenshtein distance of `a` and `b`; exact below `cap`, some number at least `cap` otherwise (it stops early). */
export function editDistance(a: string, b: string, cap = Infinity): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length];
}
