/**
 * The workers, created on first use and shared by the data and run actions. When a worker
 * dies, whoever registered with `onWorkerDeath` is told (runs fail, the dataset reloads).
 */
import { createWorkers } from '../workers/clients';
import type { QueueServices } from './queue';

export { errorText } from './queue';

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

/** The queue's services in the browser: the two workers, started on first use. */
export function browserServices(): QueueServices {
  return {
    clients: () => {
      const w = getWorkers();
      return { data: w.data.get(), trainer: w.trainer.get() };
    },
    existingTrainer: () => workers?.trainer.get() ?? null,
    onTrainerEvent: (listener) => getWorkers().trainer.onEvent(listener),
    onDeath: onWorkerDeath,
    datasetReloaded,
  };
}
