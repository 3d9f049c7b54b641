import { counted } from '../errors';
import { columnStats } from './stats';
import { kindChanged } from './stream-stats';
import { beyondFloat32, meanStd, type Moments } from './moments';
import { DataError, getColumn, type Column, type DataTable } from './table';
import { fnv1a, HASH_BUCKETS, numberClassName, ONE_HOT_LIMIT, resolveTask, type FeatureSpec } from './encode';
import type { SplitSpec } from './split';
import type { InputFeature } from './preprocessing';

/**
 * Encoding for streaming mode, where rows arrive chunk by chunk and training starts before
 * the last chunk is decoded. The layout is fixed by the FIRST chunk (documented in the README):
 * - numeric features are standardised with the first chunk's mean and deviation;
 * - a categorical feature is one-hot over the values seen in the first chunk when there are at
 *   most ONE_HOT_LIMIT of them (a value first seen later encodes as all zeros), else hashed
 *   into HASH_BUCKETS columns (any value, any chunk);
 * - the first chunk decides the task where the run does not (labelTask in encode.ts: whole
 *   numbers with few values are classes); classes are the label values of the first chunk; a
 *   row whose class first appears later is dropped and counted (a regression target is
 *   standardised with the first chunk);
 * - each row goes to train / validation / test by a seeded hash of its position in the file,
 *   so the split does not depend on how the file was chunked.
 */
export interface EncodedChunk {
  rows: number;
  /** rows x dim, dense (hashed buckets included). */
  x: Float32Array;
  y: Float32Array;
  /** 0 train, 1 validation, 2 test, per row. */
  part: Uint8Array;
  droppedMissingLabel: number;
  droppedUnseenClass: number;
}

type FeatureWriter = (col: Column, i: number, out: Float32Array, at: number) => void;

interface FeatureLayout {
  name: string;
  width: number;
  names: string[];
  write: FeatureWriter;
  input: InputFeature;
}

/** A seeded hash of a row position to [0, 1). */
export function rowFraction(seed: number, row: number): number {
  let h = Math.imul(row ^ 0x9e3779b9, 0x85ebca6b) ^ seed;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export class StreamEncoder {
  readonly dim: number;
  readonly featureNames: string[];
  readonly task: 'classification' | 'regression';
  readonly classes: string[] | null;
  readonly target: { mean: number; std: number } | null;
  /** The layout as raw-row preprocessing (preprocessing.ts), fixed by the first chunk. */
  readonly inputs: InputFeature[];
  private readonly layout: FeatureLayout[];
  private rowsSeen = 0;
  /** The label's kind in the first chunk (a later chunk must keep it, as must the features). */
  private readonly labelKind: Column['kind'];

  constructor(
    first: DataTable,
    private readonly spec: FeatureSpec,
    private readonly split: SplitSpec,
  ) {
    if (spec.features.length === 0)
      throw new DataError(`${first.name}: pick at least one feature column besides the label "${spec.label}"`);
    const label = getColumn(first, spec.label);
    this.labelKind = label.kind;
    this.layout = spec.features.map((f) => this.featureLayout(getColumn(first, f)));
    this.dim = this.layout.reduce((d, l) => d + l.width, 0);
    this.featureNames = this.layout.flatMap((l) => l.names);
    this.inputs = this.layout.map((l) => l.input);
    // The first chunk decides what the label means (labelTask), unless the run says (data.task).
    this.task = resolveTask(first.name, spec.label, columnStats(label), spec.task);
    if (this.task === 'classification') {
      this.classes =
        label.kind === 'categorical'
          ? distinctValues(label).sort()
          : label.type === 'bool'
            ? ['false', 'true']
            : presentNumbers(label).map(numberClassName);
      this.target = null;
      if (this.classes.length < 2)
        throw new DataError(
          `${first.name}: the first chunk has a single class in "${spec.label}"; streaming needs at least two to start`,
        );
    } else if (label.kind === 'numeric') {
      this.classes = null;
      this.target = momentsOf(label);
    } else throw new Error('unreachable: resolveTask refuses regression of a categorical label');
  }

  private featureLayout(col: Column): FeatureLayout {
    if (col.kind === 'numeric') {
      const { mean, std } = momentsOf(col);
      return {
        name: col.name,
        width: 1,
        names: [col.name],
        input: { column: col.name, kind: 'scale', mean, std },
        write: (c, i, out, at) => {
          const n = c as typeof col;
          out[at] = n.valid !== null && n.valid[i] === 0 ? 0 : (n.values[i] - mean) / std;
        },
      };
    }
    const values = distinctValues(col);
    if (values.length <= ONE_HOT_LIMIT) {
      const index = new Map(values.map((v, k) => [v, k]));
      return {
        name: col.name,
        width: values.length,
        names: values.map((v) => `${col.name}=${v}`),
        input: { column: col.name, kind: 'onehot', values },
        write: (c, i, out, at) => {
          const cc = c as typeof col;
          const code = cc.codes[i];
          const k = code < 0 ? undefined : index.get(cc.dictionary[code]);
          if (k !== undefined) out[at + k] = 1;
        },
      };
    }
    return {
      name: col.name,
      width: HASH_BUCKETS,
      names: Array.from({ length: HASH_BUCKETS }, (_, b) => `${col.name}#${b}`),
      input: { column: col.name, kind: 'hash', buckets: HASH_BUCKETS },
      write: (c, i, out, at) => {
        const cc = c as typeof col;
        const code = cc.codes[i];
        if (code >= 0) out[at + (fnv1a(cc.dictionary[code]) % HASH_BUCKETS)] += 1;
      },
    };
  }

  /**
   * Encodes the next chunk of the file (chunks must come in file order). With `filtered`, the
   * chunk holds only the rows a filter kept: `rows` are their positions in the chunk as read
   * (ascending) and `of` its size there, so each row keeps its split by file position.
   * `rowStart`: where the chunk's first row is in the file, for a chunk read out of order (a
   * later epoch of a file read again); without it chunks come in file order.
   */
  encode(chunk: DataTable, filtered?: { rows: Int32Array; of: number }, rowStart?: number): EncodedChunk {
    const start = rowStart ?? this.rowsSeen;
    const label = getColumn(chunk, this.spec.label);
    const cols = this.layout.map((l) => getColumn(chunk, l.name));
    if (label.kind !== this.labelKind) throw kindChanged(chunk.name, label, start);
    cols.forEach((c, k) => {
      if ((c.kind === 'numeric') !== (this.layout[k].input.kind === 'scale')) throw kindChanged(chunk.name, c, start);
    });
    for (const c of [label, ...cols]) {
      const s = columnStats(c);
      if (s.nonFinite > 0)
        throw new DataError(
          `${chunk.name}: column "${c.name}" has ${counted(s.nonFinite, 'non-finite value')} (NaN or ` +
            `Infinity) in rows ${start}-${start + (filtered ? filtered.of : chunk.rows) - 1}`,
        );
    }
    const classIndex = this.classes ? new Map(this.classes.map((c, k) => [c, k])) : null;
    const x = new Float32Array(chunk.rows * this.dim);
    const y = new Float32Array(chunk.rows);
    const part = new Uint8Array(chunk.rows);
    let kept = 0;
    let missing = 0;
    let unseen = 0;
    for (let i = 0; i < chunk.rows; i++) {
      const position = start + (filtered ? filtered.rows[i] : i);
      let target: number | undefined;
      if (label.kind === 'categorical')
        target = label.codes[i] < 0 ? NaN : classIndex!.get(label.dictionary[label.codes[i]]);
      else if (label.valid !== null && label.valid[i] === 0) target = NaN;
      else if (this.task === 'regression') target = (label.values[i] - this.target!.mean) / this.target!.std;
      else if (label.type === 'bool') target = label.values[i] ? 1 : 0;
      // A numeric label read as classes: a value the first chunk did not have is dropped and counted.
      else target = classIndex!.get(numberClassName(label.values[i]));
      if (target === undefined) {
        unseen++;
        continue;
      }
      if (Number.isNaN(target)) {
        missing++;
        continue;
      }
      let at = kept * this.dim;
      this.layout.forEach((l, k) => {
        l.write(cols[k], i, x, at);
        at += l.width;
      });
      y[kept] = target;
      // A value far outside the first chunk's scale would train as Infinity.
      for (let j = kept * this.dim; j < at; j++)
        if (!Number.isFinite(x[j])) throw beyondFloat32(chunk.name, this.featureNames[j % this.dim], position);
      if (!Number.isFinite(y[kept])) throw beyondFloat32(chunk.name, this.spec.label, position);
      const f = rowFraction(this.split.seed, position);
      part[kept] = f < this.split.train ? 0 : f < this.split.train + this.split.val ? 1 : 2;
      kept++;
    }
    if (rowStart === undefined) this.rowsSeen += filtered ? filtered.of : chunk.rows;
    return {
      rows: kept,
      x: x.subarray(0, kept * this.dim),
      y: y.subarray(0, kept),
      part: part.subarray(0, kept),
      droppedMissingLabel: missing,
      droppedUnseenClass: unseen,
    };
  }
}

function distinctValues(col: Extract<Column, { kind: 'categorical' }>): string[] {
  const seen = new Uint8Array(col.dictionary.length);
  for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0) seen[col.codes[i]] = 1;
  return col.dictionary.filter((_, k) => seen[k]);
}

/** A numeric column's present values, distinct (0 and -0 one), ascending. */
function presentNumbers(col: Extract<Column, { kind: 'numeric' }>): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < col.values.length; i++) if (col.valid === null || col.valid[i] === 1) seen.add(col.values[i]);
  return [...seen].sort((a, b) => a - b);
}

function momentsOf(col: Extract<Column, { kind: 'numeric' }>): Moments {
  return meanStd([col], null);
}
