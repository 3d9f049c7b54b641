/**
 * The trainer worker's logic: set up the backend once, then train runs whose batches arrive
 * on their own MessagePort, posting metrics as events. Pause, resume and stop act between steps.
 */
import * as tf from '@tensorflow/tfjs';
import { checkBackendSupports, initBackend } from '../gpu/backend';
import { gpuTimer } from '../gpu/timing';
import { tfjsEngine, train } from '../core/train/trainer';
import { createOptimizer } from '../core/train/optimizers';
import { resolveModelSpec } from '../core/train/model';
import { validateOptimizerSpec } from '../core/train/optimizer-spec';
import type { Environment } from '../core/train/record';
import { PortBatchSource } from './batch-channel';
import type { Handlers } from './rpc';
import type { TrainerApi, TrainerEvent } from './protocol';

interface RunControl {
  paused: boolean;
  stopped: boolean;
  resume: (() => void) | null;
}

export function createTrainerService(emit: (e: TrainerEvent) => void): Handlers<TrainerApi> {
  let env: Environment | null = null;
  const runs = new Map<string, RunControl>();

  return {
    async init({ preferred }) {
      env = await initBackend(preferred);
      return env;
    },

    async train({ runId, config: requested, task, port }) {
      if (!env) throw new Error('the trainer has no backend yet (init was not called)');
      // Refuse a model that does not fit the data (or an optimizer that cannot be built) before
      // any batch is consumed; an image model's inferred input shape is written into the config.
      // Streaming runs get their validation rows when the last chunk is decoded.
      const source = new PortBatchSource(port, (val) => (task.val = val));
      let config = requested;
      try {
        config = { ...requested, model: resolveModelSpec(requested.model, task.dim), optimizer: validateOptimizerSpec(requested.optimizer) };
        checkBackendSupports(config.model);
      } catch (e) {
        source.close();
        throw e;
      }
      const control: RunControl = { paused: false, stopped: false, resume: null };
      runs.set(runId, control);
      const tensorsBefore = tf.memory().numTensors;
      try {
        return await train(
          config,
          task,
          source,
          tfjsEngine(() => createOptimizer(config.optimizer), { gpuTimer: gpuTimer() }),
          {
            onSteps: (steps) => emit({ type: 'steps', runId, steps }),
            onEpoch: (epoch) => emit({ type: 'epoch', runId, epoch }),
            shouldStop: () => control.stopped,
            waitWhilePaused: () => (control.paused ? new Promise<void>((r) => (control.resume = r)) : Promise.resolve()),
          },
        );
      } finally {
        source.close();
        runs.delete(runId);
        // Everything a run made is disposed by the loop; a unit test holds this, the warning flags regressions.
        const left = tf.memory().numTensors - tensorsBefore;
        if (left !== 0) console.warn(`run ${runId} left ${left} tensors`);
      }
    },

    control({ runId, action }) {
      const c = runs.get(runId);
      if (!c) return;
      if (action === 'pause') c.paused = true;
      else {
        if (action === 'stop') c.stopped = true;
        c.paused = false;
        c.resume?.();
        c.resume = null;
      }
    },
  };
}
