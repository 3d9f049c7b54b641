/**
 * The workers, created on first use and shared by the data and run actions. When a worker
 * dies, whoever registered with `onWorkerDeath` is told (runs fail, the dataset reloads).
 */
import { createWorkers } from '../workers/clients';

let workers: ReturnType<typeof createWorkers> | null = null;
const deathListeners = new Set<(message: string) => void>();

/** Subscribes to worker deaths. */
export function onWorkerDeath(listener: (message: string) => void): void {
  deathListeners.add(listener);
}

export function getWorkers(): ReturnType<typeof createWorkers> {
  if (workers) return workers;
  workers = createWorkers((message) => {
    for (const l of deathListeners) l(message);
  });
  return workers;
}

/** The workers if they exist already (no worker is started just to ask). */
export function existingWorkers(): ReturnType<typeof createWorkers> | null {
  return workers;
}

let reload: Promise<void> | null = null;

/** Records the reload of the dataset in use after the data worker died (runs wait for it). */
export function setDatasetReload(p: Promise<void>): void {
  const mine = p.finally(() => {
    if (reload === mine) reload = null;
  });
  reload = mine;
}

/** Resolves once no reload of the dataset in use is under way. */
export async function datasetReloaded(): Promise<void> {
  while (reload) await reload;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
