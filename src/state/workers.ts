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

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
