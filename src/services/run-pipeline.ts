/**
 * One run from its config to its summary, the same way wherever it runs: the data service
 * prepares the run's batches (split, dedup, encoding) and serves them on a MessageChannel of
 * the run's own, the trainer service trains on them. The browser's queue calls it with the
 * workers' clients; the CLI's `train` and the pipeline tests with the services in process
 * (`localServices`, local-services.ts: kept apart so that the page's bundle does not take them in). Everything it needs
 * to know about the run is in the RunConfig: the
 * batching arguments (split, batch size, epochs, seed, prefetch) are read from it alone.
 */
import type { RunConfig, RunSummary } from '../core/train/record';
import { resolveModelSpec } from '../core/train/models/spec';
import { transfer, type ApiShape, type Transferring } from './transfer';
import type { DataApi, PreparedRun, TrainerApi } from './protocol';
import type { TrainedJson } from '../core/train/trained';
import { ConfigError } from '../core/errors';
import { checkTeacher } from '../core/compress/distill-setting';
import type { FeatureSpec, Task } from '../core/data/encode';

/** A service as its caller sees it: a worker's RpcClient, or the handlers in this process. */
export interface ServiceClient<A extends ApiShape> {
  call<K extends keyof A & string>(method: K, args: A[K]['args'] | Transferring<A[K]['args']>): Promise<A[K]['result']>;
}

/** The two services a run needs. */
export interface RunServices {
  data: ServiceClient<DataApi>;
  trainer: ServiceClient<TrainerApi>;
}

/** Where a run's rows come from: a dataset the data service holds, or a file it decodes while training. */
export type RunSource =
  | { kind: 'dataset'; datasetId: number }
  | {
      kind: 'stream';
      name: string;
      bytes: ArrayBuffer | Blob;
      /** Encoded rows kept for later epochs at most (default: the data service's STREAM_HOLD_BYTES). */
      holdBytes?: number;
      /** The task the whole file's statistics give the label, where the config leaves it to the data. */
      task?: Task;
    };

export interface RunHooks {
  /**
   * The data is prepared. A streaming run's config now names the label and features the data
   * service chose from the first chunk (when the config left them empty).
   */
  onPrepared?(prepared: PreparedRun, config: RunConfig): void;
  /** The trainer has been sent the run: pause and stop may follow from now on. */
  onTraining?(): void;
}

/**
 * A distilled run's teacher: the finished run's record (`{ version, id, config, trained }`, read
 * and checked by the trainer) and a name for messages (its title, or its file).
 */
export interface TeacherRecord {
  name: string;
  record: { config: RunConfig; trained: TrainedJson } & Record<string, unknown>;
}

export interface RunOptions {
  runId: string;
  source: RunSource;
  /** The teacher of a run with `distill` set (required then; see core/compress/distill.ts). */
  teacher?: TeacherRecord | null;
  /** Seconds the caller spent starting the backend for this run (0 when it was up already). */
  backendSec?: number;
  hooks?: RunHooks;
  /** A batch size above the training rows trains on batches of all of them (a file loaded whole, or streamed in one piece; see `RunBatching.fitBatch`). */
  fitBatch?: boolean;
}

export interface PipelineResult {
  /**
   * The config the run trained on: a streaming run's label and features filled in, the model's inferred shape written
   * out.
   */
  config: RunConfig;
  prepared: PreparedRun;
  /** The trainer's summary, its start-up times completed with the backend and data phases. */
  summary: RunSummary;
}

/**
 * Prepares the data of `config` and trains it: the backend must be started (`init`) already.
 * Rejects with the data service's or the trainer's error (a batch larger than the training
 * rows, a model that does not fit, a lost device...).
 */
export async function runPipeline(
  config: RunConfig,
  services: RunServices,
  { runId, source, backendSec = 0, hooks = {}, teacher = null, fitBatch = false }: RunOptions,
): Promise<PipelineResult> {
  const distill = config.distill ?? null;
  if (distill && source.kind === 'stream')
    throw new ConfigError(
      'distill',
      `${source.name} streams chunk by chunk; distillation reads the teacher's logits of every training row ` +
        'before the first step: load the file whole',
    );
  if (distill && !teacher)
    throw new ConfigError(
      'distill.teacher',
      `the teacher ${distill.teacher} was not found (no finished run or record)`,
    );
  const channel = new MessageChannel();
  const dataClock = performance.now();
  const batching = {
    runId,
    split: config.data.split,
    batchSize: config.batchSize,
    epochs: config.epochs,
    seed: config.seed,
    prefetch: config.prefetch,
    prepareOn: config.prepareOn ?? 'worker',
    port: channel.port1,
  };
  let prepared: PreparedRun;
  let ran = config;
  try {
    if (source.kind === 'stream') {
      // Empty features: the default label and features of the first chunk.
      // The config's task, else the whole file's answer (the stream offer's auto), else the first chunk's.
      const decided = config.data.task ?? source.task;
      const task = decided ? { task: decided } : {};
      const chosen = config.data.label
        ? { label: config.data.label, features: [...config.data.features], ...task }
        : null;
      // A File goes to the data worker as it is (a handle, not its bytes): Parquet and Arrow are read there by slices.
      const file = source.bytes instanceof ArrayBuffer ? { bytes: source.bytes } : { blob: source.bytes };
      const streamed = await services.data.call(
        'prepareStreamingRun',
        transfer(
          {
            ...batching,
            name: source.name,
            ...file,
            features: chosen,
            where: config.data.where ?? null,
            fitBatch,
            ...(source.holdBytes !== undefined ? { holdBytes: source.holdBytes } : {}),
          },
          [channel.port1, ...(file.bytes ? [file.bytes] : [])],
        ),
      );
      ran = {
        ...config,
        data: { ...config.data, label: streamed.label, features: [...streamed.features], stream: true },
      };
      if (streamed.batchSize !== undefined) ran = { ...ran, batchSize: streamed.batchSize };
      prepared = streamed;
    } else {
      const features = {
        label: config.data.label,
        features: [...config.data.features],
        ...(config.data.task ? { task: config.data.task } : {}),
      };
      const rows = {
        datasetId: source.datasetId,
        features,
        dedup: config.data.dedup,
        where: config.data.where ?? null,
      };
      const soft = distill && teacher ? await teacherSoftTargets(services, teacher, config, rows) : null;
      prepared = await services.data.call(
        'prepareRun',
        transfer(
          { ...batching, ...rows, soft, fitBatch },
          soft ? [channel.port1, soft.values.buffer] : [channel.port1],
        ),
      );
      if (prepared.batchSize !== undefined) ran = { ...ran, batchSize: prepared.batchSize };
    }
  } catch (e) {
    channel.port1.close();
    channel.port2.close();
    throw e;
  }
  const dataSec = (performance.now() - dataClock) / 1000;
  // An image dataset's own shape (HDF5 [n, h, w, c]) for an image model given none: the square guess cannot find h != w.
  if (prepared.imageShape && ran.model.type !== 'mlp' && !ran.model.inputShape)
    ran = { ...ran, model: { ...ran.model, inputShape: prepared.imageShape } };
  hooks.onPrepared?.(prepared, ran);
  const valBuffers = prepared.task.val ? [prepared.task.val.x.buffer, prepared.task.val.y.buffer] : [];
  try {
    const training = services.trainer.call(
      'train',
      transfer({ runId, config: ran, task: prepared.task, port: channel.port2 }, [channel.port2, ...valBuffers]),
    );
    hooks.onTraining?.();
    const summary = await training;
    return {
      config: { ...ran, model: resolveModelSpec(ran.model, prepared.task.dim) },
      prepared,
      summary: { ...summary, startup: { modelSec: 0, firstStepSec: 0, ...summary.startup, backendSec, dataSec } },
    };
  } finally {
    // In a worker the port was handed over (this closes nothing); in process it ends the batch server's side.
    channel.port1.close();
  }
}

/**
 * The teacher's logits of the run's training rows, in split order: the teacher is checked
 * against the run (dataset, label, task; the data service checks its classes), the data service
 * encodes the rows as the teacher reads them, and the trainer runs the teacher over them once.
 */
async function teacherSoftTargets(
  services: RunServices,
  teacher: TeacherRecord,
  config: RunConfig,
  rows: {
    datasetId: number;
    features: FeatureSpec;
    dedup: RunConfig['data']['dedup'];
    where: string | null;
  },
): Promise<{ values: Float32Array; width: number }> {
  const { record, name } = teacher;
  const pre = record.trained.preprocessing;
  checkTeacher({ name, config: record.config, classes: pre.classes, task: pre.task }, config);
  const { x, rows: n } = await services.data.call('teacherRows', {
    ...rows,
    split: config.data.split,
    teacher: { name, inputs: pre.inputs, classes: pre.classes },
  });
  const { logits, width } = await services.trainer.call('teacherLogits', transfer({ record, x, rows: n }, [x.buffer]));
  return { values: logits, width };
}
