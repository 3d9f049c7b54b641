/** Messages between the main thread, the data worker and the trainer worker. */
import type { TrainPhase } from '../core/train/trainer';
import type { ColumnStats } from '../core/data/stats';
import type { FeatureSpec } from '../core/data/encode';
import type { InputFeature, Preprocessing } from '../core/data/preprocessing';
import type { RunData } from '../core/export/run-data';
import type { QuantizeReport } from '../core/compress/quantize';
import type { SplitSpec } from '../core/data/split';
import type { DedupMethod, DedupReport, LeakReport } from '../core/data/quality';
import type { DataTable, Hdf5Info, ImageFeature, SkippedColumn, SourceFormat } from '../core/data/table';
import type { ChunkRef, DataTablePart, ParquetFileInfo, PartTask } from '../core/data/parquet';
import type {
  BackendName,
  EpochRecord,
  Environment,
  PrepareOn,
  RunConfig,
  RunSummary,
  StepRecord,
} from '../core/train/record';
import type { TrainTask } from '../core/train/trainer';
import type { TrainedJson } from '../core/train/trained';
import type { ExportedFile, ExportFormat } from '../core/export/files';

/** What the main thread learns about a loaded dataset (no row data). */
export interface DatasetSummary {
  id: number;
  name: string;
  format: SourceFormat;
  bytes: number;
  rows: number;
  columns: ColumnStats[];
  /** sha256 of the file's bytes, hex. */
  fingerprint: string;
  defaultLabel: string;
  /** Why the default label was picked (see chooseLabel in core/data/encode.ts). */
  defaultLabelReason?: string;
  defaultFeatures: string[];
  decodeMs: number;
  /** Where the decoded table came from: the decode cache (hit) or a fresh decode. */
  cache?: { kind: 'opfs' | 'indexeddb'; hit: boolean } | null;
  /**
   * Where the decode cache keeps the table when it is not the fingerprint: an HDF5 file's table
   * depends on the group asked for (sha256 of `<file sha256>#<group, or empty for the default>`).
   */
  cacheKey?: string;
  /** Workers that decoded the file (2 for a large multi-row-group Parquet file). */
  decodeThreads?: number;
  /** Columns of the file left out of the dataset, with their reasons. */
  skipped?: SkippedColumn[];
  /** HDF5: the group the dataset comes from and the file's groups that give a table. */
  hdf5?: Hdf5Info;
  /** Image datasets read as numbered columns, with their [h, w, c] shape (HDF5). */
  images?: ImageFeature[];
}

/** Progress of a load, posted by the decode worker a few times a second. */
export interface DecodeProgress {
  name: string;
  /** `scan`: statistics streamed over a file too large to load (`loaded` and `total` in bytes). */
  phase: 'read' | 'decode' | 'stats' | 'scan';
  loaded: number;
  total: number;
  /**
   * Set when a file goes to a decoder that is not the project's own and can loop on a damaged
   * file (HDF5's C library): the load is stopped, as bad input, when the decode runs longer.
   */
  deadlineMs?: number;
}

/** The decode worker's helper for Parquet: one share of the column chunks. */
/**
 * The Parquet helper's share of a file: fixed `tasks` (planParts), or, where threads can share
 * memory, chunks claimed from the back of `chunks` through the shared `claims` state while the
 * decode worker claims from the front (see core/data/parquet/claims.ts).
 */
export type ParquetPartApi = {
  decode: {
    args:
      | { bytes: ArrayBuffer; info: ParquetFileInfo; tasks: PartTask[] }
      | { bytes: SharedArrayBuffer; info: ParquetFileInfo; chunks: ChunkRef[]; claims: Int32Array };
    result: DataTablePart[];
  };
  /** Answers once the helper's module has loaded (the decode worker waits briefly for it). */
  ping: { args: Record<string, never>; result: true };
};

export type DecodeApi = {
  decode: {
    /** `group`: the HDF5 group to read (default: the one with the most rows). */
    args: { files: { name: string; blob: Blob }[]; group?: string };
    result: { table: DataTable; summary: Omit<DatasetSummary, 'id'> };
  };
  /**
   * The schema statistics of a Parquet or Arrow file too large to load, streamed piece by piece
   * from the `File` (stream-stats.ts), with progress; nothing of it is kept.
   */
  streamStats: { args: { name: string; blob: Blob }; result: StreamedSummary };
};

/** What the data panel shows of a file offered to train streamed from disk. */
export interface StreamedSummary {
  name: string;
  format: 'parquet' | 'arrow';
  bytes: number;
  rows: number;
  columns: ColumnStats[];
  /** The label and features a streaming run takes by default (the label chosen on the first piece). */
  defaultLabel: string;
  defaultLabelReason: string;
  defaultFeatures: string[];
  skipped?: SkippedColumn[];
  /**
   * Columns read as numbers in some pieces and as text in others (64-bit IDs passing 2^53 - 1),
   * with why: left out of the default features, since a run on one stops at the change.
   */
  typeChanged?: { column: string; reason: string }[];
  statsMs: number;
}

/** The encoded run as the trainer needs it; `val` buffers are transferred. */
export interface PreparedRun {
  runId: string;
  task: TrainTask;
  classes: string[] | null;
  /** Streaming mode: how the file is read. */
  streamed?: StreamedRead;
  /** Training rows (in streaming mode: those of the first chunk, more follow). */
  trainRows: number;
  /** The batch size served when `fitBatch` lowered the one asked to the training rows. */
  batchSize?: number;
  featureNames: string[];
  /** How raw rows become the model's inputs (for exports; core/data/preprocessing.ts). */
  preprocessing: Preprocessing;
  droppedMissingLabel: number;
  /** What dedup did before the split (null when off). */
  dedup?: DedupReport | null;
  /** Source-table row of each validation row, in the order the trainer sees them. */
  valSourceRows?: Int32Array;
  /**
   * When the features are exactly one image dataset's pixel columns, in order (HDF5 `[n, h, w, c]`):
   * its [h, w, c], which an image model without an input shape takes.
   */
  imageShape?: [number, number, number];
}

/** A row and its nearest neighbours, for the neighbour inspector. */
export interface NeighbourView {
  row: number;
  label: string | number | null;
  /** Values of the feature columns, for display (at most 12 columns). */
  values: Record<string, string | number | null>;
  neighbours: { row: number; distance: number; label: string | number | null }[];
  /** When the features are one image (w*h*c pixel columns): each row's pixels, 0..1. */
  image: { width: number; height: number; channels: number; pixels: Float32Array[] } | null;
}

/** How a run's batches are made and where they go (the run's own MessagePort to the trainer). */
export interface RunBatching {
  runId: string;
  split: SplitSpec;
  batchSize: number;
  epochs: number;
  seed: number;
  prefetch: number;
  /** 'gpu': send raw rows and the encoding's plan (the wgsl engine prepares them); default 'worker'. */
  prepareOn?: PrepareOn;
  /**
   * A batch size above the training rows becomes the training rows (`PreparedRun.batchSize` says
   * so) instead of being refused: the CLI's default batch on a small file, which nobody chose.
   */
  fitBatch?: boolean;
  port: MessagePort;
}

export type DataApi = {
  load: { args: { name: string; bytes: ArrayBuffer; group?: string }; result: DatasetSummary };
  /** Keeps a table decoded elsewhere (by a decode worker); returns its summary with an id. */
  adopt: { args: { table: DataTable; summary: Omit<DatasetSummary, 'id'> }; result: DatasetSummary };
  prepareRun: {
    args: RunBatching & {
      datasetId: number;
      features: FeatureSpec;
      /** Drop repeated rows (over the label and features) before the split. */
      dedup?: DedupMethod;
      /** False-positive rate of Bloom dedup (default 0.01). */
      fpr?: number;
      /** Distillation: the teacher's logits of the training rows, in split order (teacherRows, then teacherLogits). */
      soft?: { values: Float32Array; width: number } | null;
      /** The run's row filter (config.data.where), applied before dedup and the split. */
      where?: string | null;
    };
    result: PreparedRun;
  };
  /**
   * Distillation: the training rows prepareRun will serve for the same arguments, encoded as the
   * teacher reads them (its recorded inputs), in split order; refuses a teacher with other classes.
   */
  teacherRows: {
    args: {
      datasetId: number;
      features: FeatureSpec;
      split: SplitSpec;
      dedup?: DedupMethod;
      fpr?: number;
      teacher: { name: string; inputs: InputFeature[]; classes: string[] | null };
      where?: string | null;
    };
    result: { x: Float32Array; rows: number };
  };
  /** The rows a filter keeps (the Filters section's count as the user types), and which conditions used the index. */
  countWhere: {
    args: { datasetId: number; where: string };
    /** `notes`: values compared with a categorical column that it never holds (see FilterResult). */
    result: { rows: number; of: number; plan: { column: string; path: 'index' | 'scan' }[]; notes: string[] };
  };
  /** Exact repeats of whole rows (hash index), for the dataset summary. */
  duplicates: { args: { datasetId: number }; result: DedupReport };
  /** Duplicates and train / test leaks for a label, features and split. */
  quality: {
    args: {
      datasetId: number;
      features: FeatureSpec;
      split: SplitSpec;
      dedup: DedupMethod;
      fpr?: number;
      radius?: number;
    };
    result: { dedup: DedupReport | null; leaks: LeakReport };
  };
  /** The k nearest rows to a row, on the normalised features, with their labels and values. */
  neighbours: {
    args: { datasetId: number; features: FeatureSpec; row: number; k: number };
    result: NeighbourView;
  };
  /** Streaming mode: trains while the file decodes (layout from the first chunk). */
  prepareStreamingRun: {
    args: RunBatching & {
      name: string;
      /** The file's bytes, or (`blob`) the file itself: a Parquet or Arrow one is then read by slices, never whole. */
      bytes?: ArrayBuffer;
      blob?: Blob;
      /** Encoded rows kept for later epochs at most (default STREAM_HOLD_BYTES); past it each epoch reads the file again. */
      holdBytes?: number;
      /** null: the default label and features of the first chunk. */
      features: FeatureSpec | null;
      /** `data.where`: each chunk's rows are filtered as they arrive (the first chunk's kept rows fix the layout). */
      where?: string | null;
    };
    result: PreparedRun & { label: string; features: string[]; streamed: StreamedRead };
  };
  forget: { args: { datasetId: number }; result: void };
  /** A finished run's data as it trained on it, for the PyTorch export's data.npz (core/export/run-data.ts). */
  runData: { args: { datasetId: number; config: RunConfig; inputs: InputFeature[] }; result: RunData };
};

export type TrainerApi = {
  init: { args: { preferred: BackendName }; result: Environment };
  train: { args: { runId: string; config: RunConfig; task: TrainTask; port: MessagePort }; result: RunSummary };
  /**
   * The files of a finished run's model as ONNX or tfjs (core/export/files.ts), each name
   * starting with `prefix`; the record is checked first (a DataError or ConfigError names the field).
   */
  exportModel: {
    /** `data` (pytorch only): the run's data for data.npz, or null to leave it out. A PyTorch bundle comes back as one zip. */
    args: {
      data?: RunData | null;
      record: { version: number; id: string; config: RunConfig; trained: TrainedJson };
      to: ExportFormat;
      prefix: string;
    };
    result: { files: ExportedFile[] };
  };
  /** A finished run's model as f16, int8 weights and int8 activations, evaluated on its rows (core/compress/quantize.ts). */
  /** Distillation: the teacher record's logits for rows of its inputs (`x`, rows x its input width). */
  teacherLogits: {
    args: { record: unknown; x: Float32Array; rows: number };
    result: { logits: Float32Array; width: number };
  };
  quantizeModel: {
    args: { record: { version: number; id: string; config: RunConfig; trained: TrainedJson }; data: RunData };
    result: QuantizeReport;
  };
  /** 'abort' ends the run as failed with `message` (its data side is gone). */
  control: { args: { runId: string; action: 'pause' | 'resume' | 'stop' | 'abort'; message?: string }; result: void };
};

export type TrainerEvent =
  /** Where this run trains: the engine's adapter and f16 path, or why it fell back (sent before its first step). */
  | { type: 'environment'; runId: string; environment: Environment }
  | { type: 'steps'; runId: string; steps: StepRecord[] }
  | { type: 'epoch'; runId: string; epoch: EpochRecord }
  /** A start-up phase begins (model build, first step), or start-up is over ('training'). */
  | { type: 'phase'; runId: string; phase: TrainPhase }
  /** The trained parameters at the end of a run that did not fail (models/shapes.ts gives their names and shapes). */
  | { type: 'parameters'; runId: string; tensors: Float32Array[] }
  /** A streamed run's first pass is over: the filter's values that no piece held (see FilterResult.notes). */
  | { type: 'filterNotes'; runId: string; notes: string[] };

/** Messages on a run's own MessageChannel, data worker <-> trainer worker. */
export type BatchMessage =
  | {
      type: 'batch';
      x: Float32Array;
      y: Float32Array;
      /** Distillation: the rows' teacher logits (see Batch.soft). */
      soft?: Float32Array;
      size: number;
      epoch: number;
      index: number;
      lastInEpoch: boolean;
    }
  | { type: 'end' }
  | { type: 'error'; message: string }
  /** `notes`: the filter's values that no piece of the stream held (see FilterResult.notes). */
  | { type: 'val'; x: Float32Array; y: Float32Array; rows: number; notes?: string[] }
  | { type: 'recycle'; x: Float32Array; y: Float32Array; soft?: Float32Array }
  | { type: 'stop' };

/** How a streaming run reads its file: `pieces` from the file (by slices) or from bytes in memory; `held`: rows kept for later epochs, else each epoch reads the file again. */
export interface StreamedRead {
  held: boolean;
  pieces: 'file' | 'memory';
  /**
   * The file's training rows were counted before the first batch (a small file; see
   * prepareStreamingRun): `trainRows` is all of them, not the first piece's.
   */
  counted?: boolean;
}
