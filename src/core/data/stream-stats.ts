/**
 * Column statistics of a file read piece by piece (a file too large to load, see
 * source-chunks.ts): each piece's columns are folded into running totals and dropped. Nulls,
 * non-finite values, min, max and mean are exact; distinct counts are exact up to
 * DISTINCT_LIMIT values per column (beyond it, a lower bound: `distinctAtLeast`); the most
 * frequent categorical values are exact while a column has at most that many values; a numeric
 * histogram is binned over the exact range from a seeded uniform sample of SAMPLE_SIZE values and
 * scaled to the column's count (`histogramSampled`).
 */
import { meanFromSums, SUM_SCALE } from './moments';
import { Rng } from './rng';
import { bins, HISTOGRAM_TOP, type ColumnStats } from './stats';
import { DataError, type Column, type DataTable, type LogicalType } from './table';

/** Distinct values counted exactly per column (a set of this many numbers or strings: about 1 MB a numeric column). */
export const DISTINCT_LIMIT = 65_536;

const cell = new Float64Array(1);
const words = new Uint32Array(cell.buffer);

/**
 * Distinct numbers up to a limit, in typed arrays (a JS Set of numbers costs tens of bytes an
 * entry, and a wide file has many columns): open addressing over the float64 bits, 0 and -0 one
 * value, every NaN one value (as a Set counts them). Past the limit it stops and frees its table.
 */
class DistinctNumbers {
  private keys: Float64Array | null;
  private used: Uint8Array | null;
  private readonly mask: number;
  private nan = false;
  size = 0;

  constructor(private readonly limit: number) {
    let cap = 1;
    while (cap < 2 * limit) cap <<= 1;
    this.keys = new Float64Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** False once more than `limit` values were seen. */
  get exact(): boolean {
    return this.keys !== null;
  }

  add(x: number): void {
    const keys = this.keys;
    const used = this.used;
    if (!keys || !used) return;
    if (x !== x) {
      if (!this.nan) {
        this.nan = true;
        this.grow();
      }
      return;
    }
    cell[0] = x === 0 ? 0 : x;
    let h = Math.imul(words[0] ^ Math.imul(words[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      if (!used[i]) {
        used[i] = 1;
        keys[i] = cell[0];
        this.grow();
        return;
      }
      if (keys[i] === cell[0]) return;
    }
  }

  private grow(): void {
    if (++this.size > this.limit) {
      this.keys = null;
      this.used = null;
    }
  }
}
/** Values a numeric column's histogram is drawn from. */
export const SAMPLE_SIZE = 8192;

interface NumericAcc {
  kind: 'numeric';
  name: string;
  type: LogicalType;
  nulls: number;
  nonFinite: number;
  min: number;
  max: number;
  sum: number;
  /** The sum of the values times SUM_SCALE (the mean where the plain sum overflows). */
  scaled: number;
  count: number;
  /** Finite values that are not whole numbers. */
  fractions: number;
  distinct: DistinctNumbers;
  sample: Float64Array;
  sampled: number;
}

interface CategoricalAcc {
  kind: 'categorical';
  name: string;
  type: LogicalType;
  nulls: number;
  present: number;
  /** Count per value while the column has at most DISTINCT_LIMIT of them; null past it. */
  counts: Map<string, number> | null;
  bytes: boolean;
}

/**
 * A streamed piece whose column is text where earlier pieces read numbers, or the other way
 * round. Each piece is typed on its own (a CSV chunk's values, an Arrow batch, a Parquet row
 * group without statistics), so a column can change: most often 64-bit integers that pass
 * 2^53 - 1 (IDs), which are kept as exact text from there. Refused, naming the column and
 * where: the rows read so far keep one meaning, and the whole file read at once is typed over
 * all its rows.
 */
export function kindChanged(fileName: string, col: Column, firstRow: number): DataError {
  const now = col.kind === 'numeric' ? 'numbers' : 'text';
  const was = col.kind === 'numeric' ? 'text' : 'numbers';
  const why =
    col.kind === 'categorical' && col.dictionary.some((v) => /^-?\d{16,}$/.test(v))
      ? ' (integers beyond 2^53 - 1, which no double holds exactly, are kept as their digits)'
      : '';
  return new DataError(
    `${fileName}: column "${col.name}" reads as ${now} from row ${firstRow} on, where the rows streamed before ` +
      `read as ${was}${why}; a streamed column must keep one type: load the file whole (not streamed), ` +
      'which types each column over all its rows, or leave the column out',
  );
}

export class StreamStats {
  rows = 0;
  private readonly columns = new Map<string, NumericAcc | CategoricalAcc>();
  private readonly rng: Rng;

  constructor(seed = 1) {
    this.rng = new Rng(seed ^ 0x57a75);
  }

  /**
   * Columns that changed type from one piece to another, each with why (the `kindChanged`
   * message, from the first change): their statistics cover only the pieces of their first
   * type, and a streamed run that trains on one is refused at the change.
   */
  readonly changed = new Map<string, string>();

  /** Folds in one piece. */
  add(table: DataTable): void {
    const first = this.rows;
    this.rows += table.rows;
    for (const col of table.columns) {
      let acc = this.columns.get(col.name);
      if (!acc) this.columns.set(col.name, (acc = start(col)));
      if (acc.kind === 'numeric' && col.kind === 'numeric') this.addNumeric(acc, col);
      else if (acc.kind === 'categorical' && col.kind === 'categorical') addCategorical(acc, col);
      else if (!this.changed.has(col.name)) this.changed.set(col.name, kindChanged(table.name, col, first).message);
    }
  }

  private addNumeric(acc: NumericAcc, col: Extract<Column, { kind: 'numeric' }>): void {
    const { values, valid } = col;
    for (let i = 0; i < values.length; i++) {
      if (valid !== null && valid[i] === 0) {
        acc.nulls++;
        continue;
      }
      const x = values[i];
      // As columnStats counts them: present values, 0 and -0 one value, every NaN one value.
      acc.distinct.add(x);
      if (!Number.isFinite(x)) {
        acc.nonFinite++;
        continue;
      }
      if (x < acc.min) acc.min = x;
      if (x > acc.max) acc.max = x;
      acc.sum += x;
      acc.scaled += x * SUM_SCALE;
      acc.count++;
      if (x !== Math.floor(x)) acc.fractions++;
      // Reservoir sampling: each finite value is in the sample with the same chance.
      if (acc.sampled < SAMPLE_SIZE) acc.sample[acc.sampled++] = x;
      else {
        const j = this.rng.int(acc.count);
        if (j < SAMPLE_SIZE) acc.sample[j] = x;
      }
    }
  }

  /** The statistics of every column seen, in the order they first appeared. */
  result(): ColumnStats[] {
    return [...this.columns.values()].map((acc) => {
      if (acc.kind === 'categorical') {
        const counts = acc.counts ? [...acc.counts.entries()].sort((a, b) => b[1] - a[1]) : [];
        const top = counts.slice(0, HISTOGRAM_TOP);
        return {
          name: acc.name,
          type: acc.type,
          nulls: acc.nulls,
          min: null,
          max: null,
          mean: null,
          distinct: acc.counts ? acc.counts.size : DISTINCT_LIMIT,
          nonFinite: 0,
          histogram: {
            kind: 'top',
            values: top.map(([v]) => v),
            counts: top.map(([, n]) => n),
            other: acc.present - top.reduce((t, [, n]) => t + n, 0),
          },
          ...(acc.counts ? {} : { distinctAtLeast: true as const }),
          ...(acc.bytes ? { bytes: true as const } : {}),
        };
      }
      const n = acc.count;
      const sample = acc.sample.subarray(0, acc.sampled);
      const histogram = n
        ? bins(sample, null, acc.min, acc.max)
        : { kind: 'bins' as const, min: 0, max: 0, counts: [] };
      const scaled = acc.sampled < n;
      if (scaled && histogram.kind === 'bins')
        histogram.counts = histogram.counts.map((c) => Math.round((c * n) / acc.sampled));
      return {
        name: acc.name,
        type: acc.type,
        nulls: acc.nulls,
        min: n ? acc.min : null,
        max: n ? acc.max : null,
        mean: n ? meanFromSums(acc.sum, acc.scaled, n) : null,
        distinct: acc.distinct.exact ? acc.distinct.size : DISTINCT_LIMIT,
        nonFinite: acc.nonFinite,
        histogram,
        ...(acc.distinct.exact ? {} : { distinctAtLeast: true as const }),
        ...(scaled ? { histogramSampled: true as const } : {}),
        ...(acc.type === 'float' && n > 0 && acc.fractions === 0 ? { whole: true as const } : {}),
      };
    });
  }
}

function start(col: Column): NumericAcc | CategoricalAcc {
  if (col.kind === 'categorical')
    return {
      kind: 'categorical',
      name: col.name,
      type: col.type,
      nulls: 0,
      present: 0,
      counts: new Map(),
      bytes: !!col.bytes,
    };
  return {
    kind: 'numeric',
    name: col.name,
    type: col.type,
    nulls: 0,
    nonFinite: 0,
    min: Infinity,
    max: -Infinity,
    sum: 0,
    scaled: 0,
    count: 0,
    fractions: 0,
    distinct: new DistinctNumbers(DISTINCT_LIMIT),
    sample: new Float64Array(SAMPLE_SIZE),
    sampled: 0,
  };
}

function addCategorical(acc: CategoricalAcc, col: Extract<Column, { kind: 'categorical' }>): void {
  const local = new Int32Array(col.dictionary.length);
  for (let i = 0; i < col.codes.length; i++) {
    const c = col.codes[i];
    if (c < 0) acc.nulls++;
    else {
      local[c]++;
      acc.present++;
    }
  }
  if (!acc.counts) return;
  for (let c = 0; c < local.length; c++) {
    if (local[c] === 0) continue;
    const v = col.dictionary[c];
    acc.counts.set(v, (acc.counts.get(v) ?? 0) + local[c]);
  }
  if (acc.counts.size > DISTINCT_LIMIT) acc.counts = null;
}
