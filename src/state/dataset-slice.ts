import type { DatasetSummary, DecodeProgress, NeighbourView, StreamedSummary } from '../services/protocol';
import type { DedupReport, LeakReport } from '../core/data/quality';
import type { Task } from '../core/data/encode';

/** The dataset part of the store (owned by the data actions). */
export interface DatasetSlice {
  status: 'idle' | 'loading' | 'ready';
  /** The dataset in use: kept when a later load fails or is cancelled. */
  summary: DatasetSummary | null;
  /** The address it was fetched from (a bundled sample's path or a URL); null for local files. */
  url: string | null;
  loadingName: string | null;
  /** Progress of the load under way, once it has run for half a second. */
  progress: DecodeProgress | null;
  error: string | null;
  label: string | null;
  /** Classification or regression, picked under the label; null: decided from it (labelTask in core/data/encode.ts). */
  task: Task | null;
  features: string[];
  /** The row filter as typed (core/data/filter.ts); runs queued now train on the rows it keeps. */
  where: string;
  /** What the data worker made of `where`: the rows it keeps, or why it cannot be applied. */
  filter: {
    status: 'idle' | 'counting' | 'done' | 'error';
    where: string;
    rows: number | null;
    error: string | null;
    /** Values the filter names that a categorical column never holds (a likely typo), said beside the count. */
    notes?: string[];
  };
  /** The last duplicates-and-leaks check, for the label, features and split it was run with. */
  quality: {
    status: 'idle' | 'running' | 'done';
    dedup: DedupReport | null;
    leaks: LeakReport | null;
    error: string | null;
  };
  /** Exact repeats of whole rows in the dataset in use (counted after the load). */
  duplicates: DedupReport | null;
  /** Start a streaming run on each file loaded (training while it decodes). */
  streamOnLoad: boolean;
  /**
   * A Parquet or Arrow file too large to load whole, offered to train streamed from disk instead:
   * its statistics once streamed (null before), and the label and features its runs take.
   */
  streamOffer: {
    name: string;
    size: number;
    summary: StreamedSummary | null;
    label: string | null;
    /** Classification or regression for that label; null or absent: decided from it. */
    task?: Task | null;
    features: string[];
  } | null;
  /** The neighbour inspector: the row asked for and its answer. */
  neighbours: {
    status: 'idle' | 'running' | 'done';
    row: number | null;
    k: number;
    view: NeighbourView | null;
    error: string | null;
  };
}

export const initialDataset: DatasetSlice = {
  status: 'idle',
  summary: null,
  url: null,
  loadingName: null,
  progress: null,
  error: null,
  label: null,
  task: null,
  features: [],
  where: '',
  filter: { status: 'idle', where: '', rows: null, error: null },
  quality: { status: 'idle', dedup: null, leaks: null, error: null },
  streamOnLoad: false,
  streamOffer: null,
  duplicates: null,
  neighbours: { status: 'idle', row: null, k: 5, view: null, error: null },
};
