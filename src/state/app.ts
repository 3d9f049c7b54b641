/**
 * The workbench's queue and sweep, made once with their services: the workers in the browser
 * (main.tsx calls startApp at start-up), the services in process in unit tests. The actions
 * the components call (run-actions, sweep-actions, share-actions, data-actions) use this one.
 */
import type { StoreApi } from 'zustand/vanilla';
import { createRunQueue, type QueueServices, type RunQueue } from './queue';
import { createSweeps, type Sweeps } from './sweep-runner';
import { createSearches, type Searches } from './search-runner';
import { store as workbenchStore, type WorkbenchState } from './store';
import { browserServices } from './workers';
import { reloadAfterDataWorkerDeath } from './data-actions';

export interface App {
  queue: RunQueue;
  sweeps: Sweeps;
  searches: Searches;
}

let current: App | null = null;

/**
 * Makes the queue and the sweep over `services` (the workers by default) and the store; they serve
 * the actions from now on. The dataset in use is reloaded when the data worker dies (registered
 * here, first, so that the reload is under way when the queue hears of the death).
 */
export function startApp(
  services: QueueServices = browserServices(),
  store: StoreApi<WorkbenchState> = workbenchStore,
): App {
  reloadAfterDataWorkerDeath();
  const queue = createRunQueue({ services, store });
  current = { queue, sweeps: createSweeps({ store, queue }), searches: createSearches({ store, queue }) };
  return current;
}

/** The app's queue and sweep (made with the workers on first use if startApp was not called). */
export function app(): App {
  return current ?? startApp();
}
