import type { DatasetSummary, DecodeProgress } from '../workers/protocol';

/** The dataset part of the store (owned by the data actions). */
export interface DatasetSlice {
  status: 'idle' | 'loading' | 'ready';
  /** The dataset in use: kept when a later load fails or is cancelled. */
  summary: DatasetSummary | null;
  loadingName: string | null;
  /** Progress of the load under way, once it has run for half a second. */
  progress: DecodeProgress | null;
  error: string | null;
  label: string | null;
  features: string[];
}

export const initialDataset: DatasetSlice = {
  status: 'idle',
  summary: null,
  loadingName: null,
  progress: null,
  error: null,
  label: null,
  features: [],
};
