import { getColumn, DataError, type CategoricalColumn, type Column, type DataTable } from './table';
import { columnStats, dateStatText, type ColumnStats } from './stats';
import { beyondFloat32, checkStandardised, meanStd, type Moments } from './moments';
import { splitRows, type Split, type SplitSpec } from './split';
import type { InputFeature } from './preprocessing';
import { ConfigError, counted } from '../errors';

/** Which column to predict and which to learn from. */
export interface FeatureSpec {
  label: string;
  features: string[];
  /** What to learn from the label; absent: decided from it (labelTask). */
  task?: TaskSetting;
}

export type Task = 'classification' | 'regression';
/** A run's `data.task`: classification or regression, asked for; absent means decided from the label. */
export type TaskSetting = Task;
export const TASKS: readonly Task[] = ['classification', 'regression'];

/**
 * A numeric label of whole numbers with 2 to this many distinct values is read as classes when the
 * run does not say (digits 0-9, a 0/1 outcome, ratings 1-5, a month); more values (ages, counts,
 * prices) are a quantity to regress. A run may ask for either (`data.task`).
 */
export const WHOLE_CLASSES_MAX = 20;
/** Distinct values a numeric label may have when a run asks for classification. */
export const NUMERIC_CLASSES_MAX = 1000;

/**
 * The task a label column gives without a setting, from its statistics: a categorical or boolean
 * column is classification; an int column, or a float column of whole numbers, with 2 to
 * WHOLE_CLASSES_MAX distinct values is classification; any other numeric column (and a date or
 * timestamp) regression. Why, in words, for the data panel and the CLI.
 */
export function labelTask(s: Pick<ColumnStats, 'type' | 'distinct' | 'whole'>): { task: Task; reason: string } {
  if (s.type === 'categorical') return { task: 'classification', reason: 'a categorical label' };
  if (s.type === 'bool') return { task: 'classification', reason: 'a boolean label' };
  const whole = s.type === 'int' || (s.type === 'float' && s.whole === true);
  if (whole && s.distinct >= 2 && s.distinct <= WHOLE_CLASSES_MAX)
    return { task: 'classification', reason: `${s.distinct} whole-number values` };
  if (whole) return { task: 'regression', reason: `over ${WHOLE_CLASSES_MAX} whole-number values` };
  return { task: 'regression', reason: s.type === 'float' ? 'a numeric label' : `a ${s.type} label` };
}

/**
 * The run's task for its label: the setting where there is one, else labelTask. Regression of a
 * categorical or boolean label is refused; classification of a numeric label with more than
 * NUMERIC_CLASSES_MAX distinct values too (field `data.task`).
 */
export function resolveTask(
  tableName: string,
  label: string,
  s: Pick<ColumnStats, 'type' | 'distinct' | 'whole' | 'distinctAtLeast'>,
  setting: TaskSetting | undefined,
): Task {
  if (setting === undefined) return labelTask(s).task;
  if (setting === 'regression' && (s.type === 'categorical' || s.type === 'bool'))
    throw new ConfigError(
      'data.task',
      `regression needs a numeric label; "${label}" of ${tableName} is ${s.type === 'bool' ? 'boolean' : 'categorical'}`,
    );
  if (setting === 'classification' && s.type !== 'categorical' && s.type !== 'bool' && s.distinct > NUMERIC_CLASSES_MAX)
    throw new ConfigError(
      'data.task',
      `"${label}" of ${tableName} has ${s.distinctAtLeast ? 'at least ' : ''}${s.distinct} distinct values, more than the ` +
        `${NUMERIC_CLASSES_MAX} classes a numeric label may have; train a regression`,
    );
  return setting;
}

/** Categorical features with at most this many values are one-hot encoded; larger ones are hashed. */
export const ONE_HOT_LIMIT = 64;
/** Buckets for feature hashing of a high-cardinality categorical feature. */
export const HASH_BUCKETS = 256;

/**
 * Rows x columns in compressed sparse row form: row r's entries are `indices` / `values`
 * from `indptr[r]` to `indptr[r + 1]`. Column indices count from the start of the full
 * feature vector (after the dense part).
 */
export interface CsrMatrix {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** A dataset turned into training-ready float32 rows, split, standardised on the train part. */
export interface EncodedDataset {
  /** Rows kept (rows whose label is missing are dropped). */
  rows: number;
  /** Features per row: the dense ones, then the hashed (sparse) buckets. */
  dim: number;
  /** The first `denseDim` features are stored densely in `x`. */
  denseDim: number;
  /** Name of each of the `dim` encoded features (`island=Biscoe`, `bill_mm`, `name#7`). */
  featureNames: string[];
  /** rows x denseDim, row-major. */
  x: Float32Array;
  /** The hashed features of high-cardinality columns (one entry per row and column), or null. */
  sparse: CsrMatrix | null;
  /** One value per row: class index (classification) or standardised target (regression). */
  y: Float32Array;
  task: 'classification' | 'regression';
  /** Class names for classification, null for regression. */
  classes: string[] | null;
  /** Regression targets were standardised with these (y_raw = y * std + mean). */
  target: { mean: number; std: number } | null;
  split: Split;
  /** Rows of the source table, one per encoded row. */
  sourceRows: Int32Array;
  droppedMissingLabel: number;
  /**
   * How each of the `denseDim` dense features comes from its source column (`denseSources`):
   * the recipe a GPU applies to raw columns for `prepareOn: gpu` (src/core/data/prepare.ts).
   */
  plan: DenseFeature[];
  /** The dense features' source columns, in order (plan[j].source indexes this). */
  denseSources: string[];
  /** The layout as raw-row preprocessing: dense columns in order, then the hashed ones (preprocessing.ts). */
  inputs: InputFeature[];
}

/** One dense feature: a numeric column standardised, or one value of a one-hot categorical column. */
export type DenseFeature =
  { source: number; kind: 'scale'; mean: number; std: number } | { source: number; kind: 'onehot'; value: number };

/** Classes a default label may have, and the largest share one class may hold (else it teaches little). */
export const LABEL_CLASSES = { min: 2, max: 50, maxShare: 0.9 } as const;

/** Class counts of a categorical or boolean column (missing values left out), or null for other columns. */
function classCounts(c: Column): number[] | null {
  if (c.kind === 'categorical') {
    const counts = new Array<number>(c.dictionary.length).fill(0);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) counts[c.codes[i]]++;
    return counts.filter((n) => n > 0);
  }
  if (c.type === 'bool') {
    const counts = [0, 0];
    for (let i = 0; i < c.values.length; i++) if (!c.valid || c.valid[i]) counts[c.values[i] ? 1 : 0]++;
    return counts.filter((n) => n > 0);
  }
  return null;
}

/**
 * Picks a default label and says why (the data panel shows the reason):
 * 1. a column named like a target (LABEL_NAMES, in that order of preference);
 * 2. else the last categorical (or boolean) column with 2 to 50 classes whose largest class
 *    holds less than 90 % of its rows, and with at least two rows a class on average (a column
 *    of hundreds of names, one of a single dominant value, or one naming each row, like the 12
 *    monarchs of 12 rows, makes a poor classification target);
 * 3. else the last numeric column that is not constant (regression);
 * 4. else the last column that is not raw bytes (a hashed bytes column is a label only when picked).
 */
export function chooseLabel(table: DataTable): { name: string; reason: string } {
  for (const wanted of LABEL_NAMES) {
    const named = table.columns.find((c) => c.name.toLowerCase() === wanted && !isBytes(c));
    if (named) return { name: named.name, reason: `named like a label ("${wanted}")` };
  }
  for (let i = table.columns.length - 1; i >= 0; i--) {
    const c = table.columns[i];
    if (isBytes(c)) continue;
    const counts = classCounts(c);
    if (!counts) continue;
    const total = counts.reduce((a, b) => a + b, 0);
    if (
      counts.length >= LABEL_CLASSES.min &&
      counts.length <= LABEL_CLASSES.max &&
      2 * counts.length <= total &&
      Math.max(...counts) < LABEL_CLASSES.maxShare * total
    ) {
      return {
        name: c.name,
        reason:
          `the last categorical ` +
          (`column with ${LABEL_CLASSES.min} to ${LABEL_CLASSES.max} classes, none ` +
            `above ${100 * LABEL_CLASSES.maxShare} % of rows (${counts.length} classes)`),
      };
    }
  }
  for (let i = table.columns.length - 1; i >= 0; i--) {
    const c = table.columns[i];
    if (c.kind !== 'numeric' || c.type === 'bool') continue;
    const s = columnStats(c);
    if (s.min !== null && s.max !== null && s.max > s.min) {
      return {
        name: c.name,
        reason:
          `no categorical column with ${LABEL_CLASSES.min} to ${LABEL_CLASSES.max} balanced classes: ` +
          `the last numeric column (${labelTask(s).task}: ${labelTask(s).reason})`,
      };
    }
  }
  const last = [...table.columns].reverse().find((c) => !isBytes(c)) ?? table.columns[table.columns.length - 1];
  return { name: last.name, reason: 'no column fits a label well: the last column' };
}

/** A column of raw bytes hashed into buckets (never a default label or feature). */
const isBytes = (c: Column) => c.kind === 'categorical' && c.bytes === true;

/**
 * `spec` with the task its label has in `table` made explicit (the setting where there is one):
 * what a run on a subset of the rows (a filter) encodes with, so the subset's values never turn
 * a quantity into classes or back. A label `table` lacks is left to encodeTable's message.
 */
export function withTask(table: DataTable, spec: FeatureSpec): FeatureSpec {
  if (spec.task) return spec;
  const col = table.columns.find((c) => c.name === spec.label);
  return col ? { ...spec, task: labelTask(columnStats(col)).task } : spec;
}

/** A numeric class's name: the number as JavaScript writes it, -0 as 0. */
export function numberClassName(v: number): string {
  return String(v === 0 ? 0 : v);
}

/** The default label's name (see chooseLabel). */
export function defaultLabel(table: DataTable): string {
  return chooseLabel(table).name;
}

/** Column names taken as the label, most telling first. */
export const LABEL_NAMES = [
  'label',
  'target',
  'class',
  'species',
  'outcome',
  'y',
  // The targets of the datasets a newcomer tries first, named as they ship: Kaggle's Titanic, the
  // Wisconsin breast-cancer set, telco and bank churn, iris (variety), wine quality, house prices.
  'survived',
  'diagnosis',
  'churn',
  'exited',
  'variety',
  'quality',
  'saleprice',
];

/** Default features: every other column, skipping ones that are mostly missing or unique per row (ids). */
export function defaultFeatures(table: DataTable, label: string): string[] {
  return featuresFromStats(
    table.columns.map((c) => columnStats(c)),
    table.rows,
    label,
  );
}

type FeatureStats = Pick<ColumnStats, 'name' | 'type' | 'nulls' | 'distinct' | 'bytes' | 'min' | 'max'>;

/**
 * Names a saved row index gets: pandas' `to_csv` (an empty header, which the readers name
 * `column_1`, or `Unnamed: 0` after a round trip), R's `write.csv` (an empty header), `index`
 * and `level_0` (pandas' `reset_index`), `__index_level_0__` (pyarrow's `from_pandas`, in Parquet
 * and Arrow files written from a frame whose index is not a plain range).
 */
const ROW_INDEX_NAME = /^(column_1|Unnamed: \d+(\.\d+)?|index|level_0|__index_level_\d+__)$/;

/**
 * A saved row index: named as one, an integer column holding each of `rows` consecutive values
 * once (0..n-1 or 1..n, in any order: a sampled frame keeps its old index), none missing.
 */
function isRowIndex(s: FeatureStats, rows: number): boolean {
  return (
    ROW_INDEX_NAME.test(s.name) &&
    s.type === 'int' &&
    s.nulls === 0 &&
    s.distinct === rows &&
    s.min != null &&
    s.max != null &&
    s.max - s.min === rows - 1
  );
}

/**
 * Why the default-feature rule leaves a column out (null: it is a default feature): a column of
 * bytes (images are read through their own feature), one more than half missing, a saved row
 * index (`isRowIndex`), or a categorical unique per row (an id). The label is left out by the caller.
 */
export function notDefaultFeature(s: FeatureStats, rows: number): string | null {
  if (s.bytes) return 'a column of bytes';
  if (s.nulls > 0.5 * rows) return `${s.nulls} of ${rows} values missing`;
  if (isRowIndex(s, rows))
    return `the row numbers ${s.min} to ${s.max}, each once: an index saved with the data (pandas' to_csv, R's write.csv), not a measurement`;
  if (s.type === 'categorical' && isIdentifier(s.distinct, rows - s.nulls, rows))
    return `categorical with ${s.distinct} distinct values in ${rows} rows, read as an identifier`;
  return null;
}

/**
 * A categorical that names its rows rather than grouping them: more values than half the rows and
 * more than one-hot takes (`ONE_HOT_LIMIT`), or, in a small table, at least `ID_MIN_DISTINCT`
 * values with nine in ten present values distinct (la-riots' first names, last names and street
 * addresses in 63 rows; its 38 neighbourhoods stay a feature). One-hot, such a column is one
 * column per row: the model learns the rows by name and nothing that carries to a new row.
 */
function isIdentifier(distinct: number, present: number, rows: number): boolean {
  if (distinct > 0.5 * rows && distinct > ONE_HOT_LIMIT) return true;
  return distinct >= ID_MIN_DISTINCT && distinct >= 0.9 * present;
}

/** Fewer values than this are never read as an identifier: a 12-row table of 12 colours is a category. */
const ID_MIN_DISTINCT = 20;

/**
 * The default-feature rule on schema statistics (what the page holds): every column but the
 * label, skipping ones more than half missing and categoricals that are unique per row (ids).
 */
export function featuresFromStats(columns: readonly FeatureStats[], rows: number, label: string): string[] {
  return columns.filter((s) => s.name !== label && notDefaultFeature(s, rows) === null).map((s) => s.name);
}

/**
 * Encodes a table for training. Rules (documented in the README):
 * - rows with a missing label are dropped; a categorical or boolean label means
 *   classification, a numeric one regression (target standardised);
 * - numeric features are standardised with the train split's mean and deviation (a numbered
 *   family of 16+ columns such as image pixels shares one pooled scale: see groupMoments);
 *   a missing numeric value becomes the train mean (0 after standardising);
 * - categorical features become one-hot columns (<= ONE_HOT_LIMIT values) or are hashed
 *   into HASH_BUCKETS columns kept as a sparse CSR matrix (dense batches are filled from it,
 *   so rows x buckets is never materialised); a missing category is all zeros;
 * - non-finite numbers (NaN, Infinity) in a feature or the label are refused with a DataError.
 */
export function encodeTable(
  table: DataTable,
  spec: FeatureSpec,
  splitSpec: SplitSpec,
  opts: {
    rows?: Int32Array;
    /** Neighbour search, not training: a label with one class is fine (default: refused, nothing to learn). */
    anyClasses?: boolean;
  } = {},
): EncodedDataset {
  const labelCol = getColumn(table, spec.label);
  if (spec.features.length === 0)
    throw new DataError(`${table.name}: pick at least one feature column besides the label "${spec.label}"`);
  if (spec.features.includes(spec.label))
    throw new DataError(`${table.name}: the label "${spec.label}" cannot also be a feature`);
  const featureCols = spec.features.map((f) => getColumn(table, f));
  // Decided on the label's values in this table (dedup keeps it); a filtered run passes the
  // whole dataset's answer in `spec.task` (withTask), so a filter never changes what a label means.
  const labelStats = columnStats(labelCol);
  const task = resolveTask(table.name, spec.label, labelStats, spec.task);
  for (const col of [labelCol, ...featureCols]) {
    const s = col === labelCol ? labelStats : columnStats(col);
    if (s.nonFinite > 0) {
      throw new DataError(
        `${table.name}: column "${col.name}" has ${counted(s.nonFinite, 'non-finite value')} (NaN or Infinity); ` +
          `remove them or drop the column`,
      );
    }
    // Standardising subtracts the mean: a column from near -1.8e308 to near 1.8e308 has
    // differences float64 cannot hold (they would train as Infinity).
    if (s.min !== null && s.max !== null && !Number.isFinite(s.max - s.min))
      throw new DataError(
        `${table.name}: column "${col.name}" spans ${s.min} to ${s.max}, a range beyond float64 ` +
          '(it cannot be standardised); rescale the column',
      );
  }

  // Rows kept: label present.
  // `opts.rows`: the rows to use (for example after dedup), ascending; default all.
  const keep: number[] = [];
  const candidates = opts.rows;
  const n = candidates ? candidates.length : table.rows;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k] : k;
    if (present(labelCol, i)) keep.push(i);
  }
  const sourceRows = Int32Array.from(keep);
  const rows = sourceRows.length;
  if (rows < 2)
    throw new DataError(
      `${table.name}: ${rows === 1 ? 'only 1 row has' : 'no row has'} a value in label column "${spec.label}"`,
    );
  const split = splitRows(rows, splitSpec);

  const denseCols = featureCols.filter((c) => c.kind === 'numeric' || c.dictionary.length <= ONE_HOT_LIMIT);
  const hashedCols = featureCols.filter(
    (c): c is CategoricalColumn => c.kind === 'categorical' && c.dictionary.length > ONE_HOT_LIMIT,
  );
  const grouped = groupMoments(denseCols, sourceRows, split.train);
  const encoders = denseCols.map((c) => featureEncoder(c, sourceRows, split.train, grouped.get(c.name)));
  const denseDim = encoders.reduce((d, e) => d + e.width, 0);
  const x = new Float32Array(rows * denseDim);
  let offset = 0;
  for (const e of encoders) {
    e.write(x, denseDim, offset);
    offset += e.width;
  }
  checkStandardised(
    table.name,
    x,
    denseDim,
    encoders.flatMap((e) => e.names),
    (r) => sourceRows[r],
  );
  const sparse = hashedCols.length ? hashColumns(hashedCols, sourceRows, denseDim) : null;
  const dim = denseDim + hashedCols.length * HASH_BUCKETS;
  const featureNames = [
    ...encoders.flatMap((e) => e.names),
    ...hashedCols.flatMap((c) => Array.from({ length: HASH_BUCKETS }, (_, b) => `${c.name}#${b}`)),
  ];

  const y = new Float32Array(rows);
  let classes: string[] | null = null;
  let target: EncodedDataset['target'] = null;
  if (labelCol.kind === 'categorical') {
    // Compact the codes that occur, so no class is empty.
    const remap = new Int32Array(labelCol.dictionary.length).fill(-1);
    classes = [];
    for (let r = 0; r < rows; r++) {
      const c = labelCol.codes[sourceRows[r]];
      if (remap[c] < 0) {
        remap[c] = classes.length;
        classes.push(labelCol.dictionary[c]);
      }
      y[r] = remap[c];
    }
  } else if (labelCol.type === 'bool') {
    classes = ['false', 'true'];
    for (let r = 0; r < rows; r++) y[r] = labelCol.values[sourceRows[r]] ? 1 : 0;
  } else if (task === 'classification') {
    // A numeric label read as classes: the values that occur, in ascending order, named as numbers.
    const values = [...new Set(Array.from(sourceRows, (i) => labelCol.values[i]))].sort((a, b) => a - b);
    const index = new Map(values.map((v, k) => [v, k]));
    classes = values.map(numberClassName);
    for (let r = 0; r < rows; r++) y[r] = index.get(labelCol.values[sourceRows[r]])!;
  } else {
    // A quantity that never changes is as little to learn as one class.
    const first = labelCol.values[sourceRows[0]];
    if (!opts.anyClasses && rows > 0 && sourceRows.every((i) => labelCol.values[i] === first))
      throw new DataError(
        `${table.name}: label "${spec.label}" holds one value (${dateStatText(labelCol.type, first) ?? numberClassName(first)}) in every row; nothing to learn`,
      );
    const m = moments(labelCol.values, sourceRows, split.train);
    target = m;
    for (let r = 0; r < rows; r++) y[r] = (labelCol.values[sourceRows[r]] - m.mean) / m.std;
    checkStandardised(table.name, y, 1, [labelCol.name], (r) => sourceRows[r]);
  }
  if (task === 'classification' && classes && classes.length < 2 && !opts.anyClasses) {
    throw new DataError(`${table.name}: label "${spec.label}" has a single class ("${classes[0]}"); nothing to learn`);
  }
  return {
    rows,
    dim,
    denseDim,
    featureNames,
    x,
    sparse,
    y,
    task,
    classes,
    target,
    split,
    sourceRows,
    droppedMissingLabel: n - rows,
    plan: encoders.flatMap((e, source) => e.plan.map((f) => ({ ...f, source }))),
    denseSources: denseCols.map((c) => c.name),
    inputs: [
      ...encoders.map((e) => e.input),
      ...hashedCols.map((c): InputFeature => ({ column: c.name, kind: 'hash', buckets: HASH_BUCKETS })),
    ],
  };
}

function present(col: Column, i: number): boolean {
  return col.kind === 'categorical' ? col.codes[i] >= 0 : col.valid === null || col.valid[i] !== 0;
}

/** Mean and standard deviation (population; 1 for a constant column) over the train rows' present values. */
function moments(
  values: ArrayLike<number>,
  sourceRows: Int32Array,
  train: Int32Array,
  valid: Uint8Array | null = null,
): Moments {
  return meanStd([{ values, valid }], trainRows(sourceRows, train));
}

/** The source rows of the train split. */
const trainRows = (sourceRows: Int32Array, train: Int32Array) => train.map((t) => sourceRows[t]);

interface FeatureEncoder {
  width: number;
  names: string[];
  write(x: Float32Array, dim: number, offset: number): void;
  /** Its features' recipes (source 0: filled in by the caller). */
  plan: DenseFeature[];
  input: InputFeature;
}

/** A numbered family of at least this many numeric columns is scaled as one group. */
export const GROUP_MIN_COLUMNS = 16;

/**
 * Pooled mean and deviation for numbered families of numeric columns (`p0..p783`,
 * `pixel1..`, `f_0..`: one name stem followed by digits, at least GROUP_MIN_COLUMNS of them).
 * Such columns are parts of one signal (the pixels of an image, the bins of a spectrum), so
 * they share one scale: standardising each pixel alone would blow up pixels that are rarely
 * inked. Every other numeric column is standardised on its own.
 */
function groupMoments(
  cols: readonly Column[],
  sourceRows: Int32Array,
  train: Int32Array,
): Map<string, { mean: number; std: number }> {
  const families = new Map<string, Extract<Column, { kind: 'numeric' }>[]>();
  for (const c of cols) {
    const m = /^(.*?)\d+$/.exec(c.name);
    if (c.kind !== 'numeric' || !m) continue;
    const list = families.get(m[1]) ?? [];
    list.push(c);
    families.set(m[1], list);
  }
  const out = new Map<string, { mean: number; std: number }>();
  const rows = trainRows(sourceRows, train);
  for (const members of families.values()) {
    if (members.length < GROUP_MIN_COLUMNS) continue;
    const m = meanStd(members, rows);
    for (const c of members) out.set(c.name, m);
  }
  return out;
}

function featureEncoder(
  col: Column,
  sourceRows: Int32Array,
  train: Int32Array,
  scale?: { mean: number; std: number },
): FeatureEncoder {
  const rows = sourceRows.length;
  if (col.kind === 'numeric') {
    const { mean, std } = scale ?? moments(col.values, sourceRows, train, col.valid);
    return {
      width: 1,
      names: [col.name],
      plan: [{ source: 0, kind: 'scale', mean, std }],
      input: { column: col.name, kind: 'scale', mean, std },
      write(x, dim, offset) {
        for (let r = 0; r < rows; r++) {
          const i = sourceRows[r];
          x[r * dim + offset] = col.valid !== null && col.valid[i] === 0 ? 0 : (col.values[i] - mean) / std;
        }
      },
    };
  }
  if (col.dictionary.length <= ONE_HOT_LIMIT) {
    return {
      width: col.dictionary.length,
      names: col.dictionary.map((v) => `${col.name}=${v}`),
      plan: col.dictionary.map((_, value) => ({ source: 0, kind: 'onehot' as const, value })),
      input: { column: col.name, kind: 'onehot', values: [...col.dictionary] },
      write(x, dim, offset) {
        for (let r = 0; r < rows; r++) {
          const c = col.codes[sourceRows[r]];
          if (c >= 0) x[r * dim + offset + c] = 1;
        }
      },
    };
  }
  throw new Error(`column "${col.name}" has ${col.dictionary.length} values: it is hashed, not one-hot encoded`);
}

/** One CSR entry per row and hashed column (none where the value is missing). */
function hashColumns(cols: CategoricalColumn[], sourceRows: Int32Array, offset: number): CsrMatrix {
  const rows = sourceRows.length;
  const buckets = cols.map((c) => Int32Array.from(c.dictionary, (v) => fnv1a(v) % HASH_BUCKETS));
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(rows * cols.length);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const i = sourceRows[r];
    for (let k = 0; k < cols.length; k++) {
      const code = cols[k].codes[i];
      if (code >= 0) indices[nnz++] = offset + k * HASH_BUCKETS + buckets[k][code];
    }
    indptr[r + 1] = nnz;
  }
  return { indptr, indices: indices.slice(0, nnz), values: new Float32Array(nnz).fill(1) };
}

/** The full (dense) feature vectors of some rows, e.g. the validation split, rows x dim. */
export function denseRows(enc: EncodedDataset, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * enc.dim);
  rows.forEach((r, i) => writeRow(enc, r, out, i * enc.dim));
  return out;
}

/** Writes encoded row `r` (dense part, then the scattered sparse entries) at `out[at..at+dim)`. */
export function writeRow(
  enc: Pick<EncodedDataset, 'x' | 'denseDim' | 'dim' | 'sparse'>,
  r: number,
  out: Float32Array,
  at: number,
): void {
  const { x, denseDim, dim, sparse } = enc;
  out.set(x.subarray(r * denseDim, (r + 1) * denseDim), at);
  if (!sparse) return;
  out.fill(0, at + denseDim, at + dim);
  for (let k = sparse.indptr[r]; k < sparse.indptr[r + 1]; k++) out[at + sparse.indices[k]] += sparse.values[k];
}

/** 32-bit FNV-1a of a string's UTF-16 code units: stable across runs and machines. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Encodes rows of a table by a fixed, recorded layout (a trained run's `preprocessing.inputs`)
 * rather than by statistics of this table: what a teacher model (distillation) sees of the rows
 * its student trains on. `rows` are source-row indices; the result is rows x width, dense.
 * The rules are encodeRow's (preprocessing.ts), column-wise: a missing value is 0 (scaled) or
 * all zeros (one-hot, hashed); a value the one-hot list does not hold is all zeros.
 */
export function encodeWithInputs(table: DataTable, inputs: readonly InputFeature[], rows: Int32Array): Float32Array {
  const widthOf = (f: InputFeature) => (f.kind === 'scale' ? 1 : f.kind === 'onehot' ? f.values.length : f.buckets);
  const width = inputs.reduce((w, f) => w + widthOf(f), 0);
  const out = new Float32Array(rows.length * width);
  let at = 0;
  for (const f of inputs) {
    const col = getColumn(table, f.column);
    const wrongKind = (was: string) =>
      new DataError(`${table.name}: column "${col.name}" is ${col.kind} here, but the model ${was} it`);
    if (f.kind === 'scale') {
      if (col.kind !== 'numeric') throw wrongKind('scaled (a number)');
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r];
        if (col.valid !== null && col.valid[i] === 0) continue;
        out[r * width + at] = (col.values[i] - f.mean) / f.std;
        // Far outside the scale the model was trained with, it would be evaluated as Infinity.
        if (!Number.isFinite(out[r * width + at])) throw beyondFloat32(table.name, col.name, i);
      }
    } else {
      if (col.kind !== 'categorical')
        throw wrongKind(f.kind === 'onehot' ? 'one-hot encoded (categories)' : 'hashed (categories)');
      // Per dictionary code: its position in the segment (-1: none).
      const slot = Int32Array.from(col.dictionary, (v) =>
        f.kind === 'onehot' ? f.values.indexOf(v) : fnv1a(v) % f.buckets,
      );
      for (let r = 0; r < rows.length; r++) {
        const c = col.codes[rows[r]];
        if (c >= 0 && slot[c] >= 0) out[r * width + at + slot[c]] += 1;
      }
    }
    at += widthOf(f);
  }
  return out;
}
