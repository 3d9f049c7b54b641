/**
 * The data and trainer services in this process, called as a worker's client is called: the
 * CLI's and the tests' RunServices (the browser's are the workers, state/workers.ts).
 */
import { createDataService } from './data-service';
import { createTrainerService } from './trainer-service';
import { transferredValue, type ApiShape, type Handlers } from './transfer';
import type { TrainerEvent } from './protocol';
import type { RunServices, ServiceClient } from './run-pipeline';

/** Calls handlers in this process as a client would call them over a port (transfer lists dropped). */
export function localClient<A extends ApiShape>(handlers: Handlers<A>): ServiceClient<A> {
  return {
    async call(method, args) {
      return transferredValue(await handlers[method](transferredValue(args)));
    },
  };
}

/**
 * The data and trainer services in this process, wired as in the browser (batches over real
 * MessageChannels); the trainer's events go to `onEvent`.
 */
export function localServices(onEvent: (e: TrainerEvent) => void = () => undefined): RunServices {
  return { data: localClient(createDataService()), trainer: localClient(createTrainerService(onEvent)) };
}
