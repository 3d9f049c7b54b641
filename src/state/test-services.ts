/**
 * Test support: the queue's services in this process (runPipeline's localServices), with the
 * calls made to the data service recorded, and a dataset loaded into them and into a store the
 * way the data actions load one.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { DataApi, TrainerEvent } from '../services/protocol';
import { localServices } from '../services/local-services';
import { transferredValue } from '../services/transfer';
import type { QueueServices } from './queue';
import type { WorkbenchState } from './store';

export interface LocalQueueServices extends QueueServices {
  /** Every call to the data service, in order (method and arguments). */
  dataCalls: { method: keyof DataApi; args: unknown }[];
  /** Tells the queue a worker died, as the browser's facade would. */
  die(message: string): void;
}

export function localQueueServices(): LocalQueueServices {
  const listeners = new Set<(e: TrainerEvent) => void>();
  const deaths = new Set<(message: string) => void>();
  const local = localServices((e) => {
    for (const l of listeners) l(e);
  });
  const dataCalls: LocalQueueServices['dataCalls'] = [];
  const data: typeof local.data = {
    call(method, args) {
      dataCalls.push({ method, args: transferredValue(args) });
      return local.data.call(method, args);
    },
  };
  const services = { data, trainer: local.trainer };
  return {
    clients: () => services,
    existingTrainer: () => services.trainer,
    onTrainerEvent: (l) => void listeners.add(l),
    onDeath: (l) => void deaths.add(l),
    datasetReloaded: async () => undefined,
    dataCalls,
    die: (message) => {
      for (const l of deaths) l(message);
    },
  };
}

/**
 * Loads `bytes` into the services' data service and makes it the store's dataset in use (default label and features).
 */
export async function loadDataset(
  store: StoreApi<WorkbenchState>,
  services: QueueServices,
  name: string,
  bytes: Uint8Array,
): Promise<void> {
  const summary = await services.clients().data.call('load', { name, bytes: bytes.slice().buffer });
  store.setState((s) => ({
    dataset: {
      ...s.dataset,
      status: 'ready',
      summary,
      label: summary.defaultLabel,
      features: [...summary.defaultFeatures],
    },
  }));
}

/** Resolves once `ok` holds for the store's state (checked now and on every change). */
export function until(store: StoreApi<WorkbenchState>, ok: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (ok()) return resolve();
    const off = store.subscribe(() => {
      if (!ok()) return;
      off();
      resolve();
    });
  });
}
