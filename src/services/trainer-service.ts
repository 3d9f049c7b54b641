/**
 * The trainer worker's logic: set up the backend once, then train runs whose batches arrive
 * on their own MessagePort, posting metrics as events. Pause, resume and stop act between steps.
 * A run's `engine` picks who runs the steps: tfjs on the backend, or the project's WGSL kernels
 * on a GPUDevice of their own (kept for the next run; opened again after a device loss). A wgsl
 * run where WebGPU is missing trains on tfjs and says why (fp16-mixed cannot: it is refused).
 */
import * as tf from '@tensorflow/tfjs';
import { checkBackendSupports, initBackend } from '../gpu/backend';
import { gpuTimer } from '../gpu/timing';
import { tfjsEngine, train } from '../core/train/trainer';
import { createOptimizer } from '../core/train/optimizers';
import { resolveModelSpec } from '../core/train/model';
import { validateOptimizerSpec } from '../core/train/optimizer-spec';
import type { Environment, RunConfig } from '../core/train/record';
import { ConfigError } from '../core/train/errors';
import { openEngineGpu, type EngineGpu } from '../gpu/engine/device';
import { createWgslEngine, formatFor } from '../gpu/engine/engine';
import { PortBatchSource } from './batch-channel';
import { transfer, type Handlers } from './transfer';
import { exportFiles } from '../core/export/files';
import { quantizeReport } from '../core/compress/quantize';
import { teacherLogits } from '../core/compress/distill';
import { readTrainedRecord } from '../core/train/trained';
import { zip } from '../core/export/npz';
import type { TrainerApi, TrainerEvent } from './protocol';

interface RunControl {
  paused: boolean;
  stopped: boolean;
  resume: (() => void) | null;
  source: PortBatchSource;
}

export function createTrainerService(emit: (e: TrainerEvent) => void): Handlers<TrainerApi> {
  let env: Environment | null = null;
  const runs = new Map<string, RunControl>();
  let engineGpu: Promise<EngineGpu | { reason: string }> | null = null;

  /** The WGSL engine's device, opened once (again after a loss). */
  const wgslGpu = async (): Promise<EngineGpu | { reason: string }> => {
    const open = await (engineGpu ??= openEngineGpu());
    if ('reason' in open || !open.lost) return open;
    engineGpu = openEngineGpu();
    return engineGpu;
  };

  /** Where a run trains, and why not where it asked to. */
  const runEnvironment = async (config: RunConfig): Promise<{ environment: Environment; gpu: EngineGpu | null }> => {
    if (!env) throw new Error('the trainer has no backend yet (init was not called)');
    if (config.engine !== 'wgsl') return { environment: { ...env, f16Path: 'none' }, gpu: null };
    const gpu = await wgslGpu();
    // No silent swap to tfjs: a run asked to measure the wgsl engine that trained on tfjs would
    // put tfjs's speed under the wgsl engine's name in every comparison. Refused, saying why.
    if ('reason' in gpu)
      throw new ConfigError(
        'engine',
        (config.precision === 'fp16-mixed'
          ? 'fp16-mixed needs the wgsl engine, which'
          : 'the wgsl engine needs WebGPU, which') +
          ` cannot run here: ${gpu.reason}; train ` +
          `${config.precision === 'fp16-mixed' ? 'fp32 ' : ''}on the tfjs engine (on ${env.backend}) instead`,
      );
    const format = formatFor(config.precision, gpu);
    return {
      environment: {
        runtime: env.runtime,
        adapter: gpu.adapter,
        features: gpu.adapterFeatures,
        f16Path: format === 'f32' ? 'none' : format,
        backend: 'webgpu',
        fallbackReason: null,
      },
      gpu,
    };
  };

  return {
    async init({ preferred }) {
      env = await initBackend(preferred);
      // The f16 path a fp16-mixed run would take here (the top bar's badge).
      const gpu = await wgslGpu();
      env.f16Path = 'reason' in gpu ? 'none' : gpu.f16 ? 'native' : 'packed';
      return env;
    },

    async train({ runId, config: requested, task, port }) {
      if (!env) throw new Error('the trainer has no backend yet (init was not called)');
      // Refuse a model that does not fit the data (or an optimizer that cannot be built) before
      // any batch is consumed; an image model's inferred input shape is written into the config.
      // Streaming runs get their validation rows when the last chunk is decoded.
      const source = new PortBatchSource(port, (val, notes) => {
        task.val = val;
        if (notes.length) emit({ type: 'filterNotes', runId, notes });
      });
      let config = requested;
      let where: Awaited<ReturnType<typeof runEnvironment>>;
      try {
        config = {
          ...requested,
          model: resolveModelSpec(requested.model, task.dim),
          optimizer: validateOptimizerSpec(requested.optimizer),
        };
        where = await runEnvironment(config);
        if (!where.gpu) checkBackendSupports(config.model);
        // Raw batches need the wgsl engine's preparation kernel: no fallback to tfjs for them.
        if (!where.gpu && task.prepare)
          throw new ConfigError(
            'prepareOn',
            `batches prepared on the GPU need the wgsl engine on WebGPU, which is not available here` +
              `${where.environment.fallbackReason ? ` (${where.environment.fallbackReason})` : ''}; prepare on the worker`,
          );
      } catch (e) {
        source.close();
        throw e;
      }
      emit({ type: 'environment', runId, environment: where.environment });
      const gpu = where.gpu;
      const makeEngine = gpu
        ? (c: RunConfig, t: typeof task) => createWgslEngine(c, t, gpu)
        : tfjsEngine(() => createOptimizer(config.optimizer), { gpuTimer: gpuTimer() });
      const control: RunControl = { paused: false, stopped: false, resume: null, source };
      runs.set(runId, control);
      const tensorsBefore = tf.memory().numTensors;
      try {
        return await train(config, task, source, makeEngine, {
          onSteps: (steps) => emit({ type: 'steps', runId, steps }),
          onEpoch: (epoch) => emit({ type: 'epoch', runId, epoch }),
          shouldStop: () => control.stopped,
          waitWhilePaused: () => (control.paused ? new Promise<void>((r) => (control.resume = r)) : Promise.resolve()),
          onPhase: (phase) => emit({ type: 'phase', runId, phase }),
          onParameters: (tensors) => emit({ type: 'parameters', runId, tensors }),
        });
      } finally {
        source.close();
        runs.delete(runId);
        // Everything a run made is disposed by the loop; a unit test holds this, the warning flags regressions.
        const left = tf.memory().numTensors - tensorsBefore;
        if (left !== 0) console.warn(`run ${runId} left ${left} tensors`);
      }
    },

    async exportModel({ record, to, prefix, data = null }) {
      const made = await exportFiles(record, to, to === 'pytorch' ? '' : prefix, data);
      // A PyTorch bundle is one download: a zip of its folder.
      const files =
        to === 'pytorch'
          ? [
              {
                name: `${prefix}pytorch.zip`,
                bytes: zip(made.files.map((f) => ({ name: `${prefix}pytorch/${f.name}`, bytes: f.bytes }))),
              },
            ]
          : made.files;
      return transfer(
        { files },
        files.map((f) => f.bytes.buffer as ArrayBuffer),
      );
    },

    async teacherLogits({ record, x, rows }) {
      const { trained } = readTrainedRecord(record);
      const logits = await teacherLogits(trained, x, rows);
      return transfer({ logits, width: trained.outputs }, [logits.buffer]);
    },

    async quantizeModel({ record, data }) {
      return quantizeReport(readTrainedRecord(record).trained, data);
    },

    control({ runId, action, message }) {
      const c = runs.get(runId);
      if (!c) return;
      if (action === 'pause') c.paused = true;
      else {
        if (action === 'stop' || action === 'abort') c.stopped = true;
        // The loop may be waiting for a batch that will never come: that wait fails now.
        if (action === 'abort') c.source.fail(message ?? 'the run was aborted');
        c.paused = false;
        c.resume?.();
        c.resume = null;
      }
    },
  };
}
