/**
 * The trained weights of finished runs (record.trained: preprocessing and parameters), what
 * the Export buttons make files from. Kept in memory for this session and, once persist.ts has
 * attached its IndexedDB store, beside the stored runs (deleted with them), so a reload still
 * exports. Runs opened from a share link have none: a link carries no weights.
 */
import type { TrainedJson } from '../core/train/trained';

export interface TrainedStorage {
  save(id: string, trained: TrainedJson): Promise<void>;
  load(id: string): Promise<TrainedJson | null>;
}

const memory = new Map<string, TrainedJson>();
let storage: TrainedStorage | null = null;
/** Errors of the storage are reported here (persist.ts: the storage notice). */
let onError: (e: unknown) => void = () => undefined;

/** Called once by persist.ts when IndexedDB is there. */
export function attachTrainedStorage(s: TrainedStorage, report: (e: unknown) => void): void {
  storage = s;
  onError = report;
}

export function keepTrained(id: string, trained: TrainedJson): void {
  memory.set(id, trained);
  storage?.save(id, trained).catch(onError);
}

/** The run's trained model, or null when it was not kept (a failed run, a shared one, or one from before). */
export async function trainedOf(id: string): Promise<TrainedJson | null> {
  const held = memory.get(id);
  if (held) return held;
  return storage ? storage.load(id) : null;
}

/** Forgets the runs that left the store (persist.ts deletes the stored copies with the runs). */
export function forgetTrained(ids: Iterable<string>): void {
  for (const id of ids) memory.delete(id);
}
