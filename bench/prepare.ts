/**
 * Where should a batch be prepared, the data worker or the GPU? (`prepareOn`, the convolutions
 * issue.) The MNIST sample through the workbench's own data and trainer services (in this
 * process, as the CLI runs them), on the wgsl engine, once with batches standardised by the data
 * side and once with raw pixel bytes standardised by the engine's prepare kernel: steady-state
 * samples/s, the data-wait share of the step (after the first 10 steps) and the bytes uploaded
 * per batch; one warm-up run per case, then `reps` runs round-robin, medians.
 *
 * Each case runs with the data service in the trainer's thread (as the CLI runs it) and on a
 * thread of its own (bench/data-thread.ts; as the browser runs it, in its data worker).
 *
 *   npx tsx bench/prepare.ts [--json] [--reps N]
 *   (no GPU: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 *
 * bench/gpu.ts runs the same cases on a GPU machine (--only=prepare). In this process the data
 * side shares the thread with the trainer (in the browser it has a worker of its own), so the
 * worker path's wait here is an upper bound of the browser's.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { defaultSplit } from '../src/core/data/split';
import type { RunConfig } from '../src/core/train/record';
import { DEFAULT_SETTINGS, makeRunConfig } from '../src/core/train/run-config';
import { dataWaitShare } from '../src/core/train/step-series';
import { localClient, localServices } from '../src/services/local-services';
import { createTrainerService } from '../src/services/trainer-service';
import { dataThread, serveDataThread } from './data-thread';
import type { TrainerEvent } from '../src/services/protocol';
import { runPipeline } from '../src/services/run-pipeline';

export interface PrepareCase {
  name: string;
  batchSize: number;
  model: RunConfig['model'];
  epochs: number;
  /** Batches in flight between the data side and the trainer (default: the run's default, 4). */
  prefetch?: number;
}

export const PREPARE_CASES: PrepareCase[] = [
  {
    name: 'mnist-2k mlp-784-256-10 adam b256',
    batchSize: 256,
    model: { type: 'mlp', hidden: [256], activation: 'relu' },
    epochs: 6,
  },
  {
    name: 'mnist-2k cnn [8,16] adam b64',
    batchSize: 64,
    model: { type: 'cnn', filters: [8, 16], hidden: [], activation: 'relu' },
    epochs: 2,
  },
  // A small model at a large batch: the step is short and the batch large, where the data side is
  // most likely to fall behind.
  {
    name: 'mnist-2k mlp-784-32-10 adam b512',
    batchSize: 512,
    model: { type: 'mlp', hidden: [32], activation: 'relu' },
    epochs: 10,
  },
];

/** Where the data service runs: in the trainer's thread (the CLI), or on a thread of its own (the browser's data worker). */
export type DataSide = 'same thread' | 'own thread';

export interface PrepareResult {
  name: string;
  prepareOn: 'worker' | 'gpu';
  dataSide: DataSide;
  samplesPerSec: number;
  dataWait: number | null;
  batchBytes: number;
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function once(bytes: Uint8Array, c: PrepareCase, prepareOn: 'worker' | 'gpu', thread: URL | null) {
  const events: TrainerEvent[] = [];
  const onEvent = (e: TrainerEvent) => events.push(e);
  const own = thread ? dataThread(thread) : null;
  const services = own
    ? { data: own.client, trainer: localClient(createTrainerService(onEvent)) }
    : localServices(onEvent);
  try {
    return await onceWith(services, events, bytes, c, prepareOn);
  } finally {
    await own?.close();
  }
}

async function onceWith(
  services: ReturnType<typeof localServices>,
  events: TrainerEvent[],
  bytes: Uint8Array,
  c: PrepareCase,
  prepareOn: 'worker' | 'gpu',
) {
  const summary = await services.data.call('load', { name: 'mnist-2k.arrow', bytes: bytes.slice().buffer });
  await services.trainer.call('init', { preferred: 'webgpu' });
  const config: RunConfig = {
    ...makeRunConfig(
      {
        ...DEFAULT_SETTINGS,
        engine: 'wgsl',
        batchSize: c.batchSize,
        epochs: c.epochs,
        model: c.model,
        prepareOn,
        prefetch: c.prefetch ?? DEFAULT_SETTINGS.prefetch,
      },
      {
        fingerprint: summary.fingerprint,
        name: summary.name,
        rows: summary.rows,
        label: summary.defaultLabel,
        features: summary.defaultFeatures,
        dedup: 'none',
        split: defaultSplit(1),
      },
    ),
  };
  const { summary: result } = await runPipeline(config, services, {
    runId: `${c.name}-${prepareOn}`,
    source: { kind: 'dataset', datasetId: summary.id },
  });
  const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
  return { rate: result.medianSamplesPerSec, wait: dataWaitShare(steps, 10), bytes: result.batchBytes ?? 0 };
}

/**
 * Every case both ways (and, given `thread`, the module file a data thread runs: with the data
 * service in this thread and on its own): a warm-up each, then `reps` runs round-robin.
 */
export async function measurePreparation(
  reps: number,
  log: (m: string) => void,
  quick = false,
  thread: URL | null = null,
  cases: PrepareCase[] = PREPARE_CASES,
): Promise<PrepareResult[]> {
  const bytes = new Uint8Array(readFileSync('public/datasets/mnist-2k.arrow'));
  const out: PrepareResult[] = [];
  const variants = (['worker', 'gpu'] as const).flatMap((p) =>
    (thread ? (['same thread', 'own thread'] as const) : (['same thread'] as const)).map((side) => ({ p, side })),
  );
  // quick: the first case for one epoch (a smoke test of the path, not a measurement).
  for (const c of quick ? [{ ...cases[0], epochs: 1 }] : cases) {
    const runs = variants.map(() => [] as Awaited<ReturnType<typeof once>>[]);
    const threadOf = (side: DataSide) => (side === 'own thread' ? thread : null);
    for (const v of variants) await once(bytes, { ...c, epochs: 1 }, v.p, threadOf(v.side));
    for (let r = 0; r < reps; r++)
      for (const [i, v] of variants.entries()) {
        const x = await once(bytes, c, v.p, threadOf(v.side));
        runs[i].push(x);
        log(
          `${c.name} · prepare on ${v.p} · data side on ${v.side} · rep ${r + 1}/${reps}: ${Math.round(x.rate)} samples/s, data wait ${x.wait === null ? '-' : (100 * x.wait).toFixed(2)} %`,
        );
      }
    for (const [i, v] of variants.entries()) {
      const waits = runs[i].map((x) => x.wait).filter((w): w is number => w !== null);
      out.push({
        name: c.name,
        prepareOn: v.p,
        dataSide: v.side,
        samplesPerSec: med(runs[i].map((x) => x.rate)),
        dataWait: waits.length ? med(waits) : null,
        batchBytes: runs[i][0].bytes,
      });
    }
  }
  return out;
}

export function prepareTable(results: PrepareResult[]): string {
  return results
    .map(
      (r) =>
        `${r.name} · prepare on ${r.prepareOn}, data side on ${r.dataSide}: ${Math.round(r.samplesPerSec)} samples/s, data wait ` +
        `${r.dataWait === null ? '-' : `${(100 * r.dataWait).toFixed(2)} %`}, ${(r.batchBytes / 1024).toFixed(1)} KB per batch`,
    )
    .join('\n');
}

// A data thread started by measurePreparation runs this file too: it serves and does nothing else.
if (!serveDataThread() && process.argv[1]?.endsWith('prepare.ts')) {
  const args = process.argv.slice(2);
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  const log = (m: string) => process.stderr.write(`[prepare] ${m}\n`);
  const { installNodeWebGpu } = await import('../src/gpu/node-webgpu');
  if (!(await installNodeWebGpu())) throw new Error('the npm package "webgpu" (Dawn) did not load');
  await tf.setBackend('cpu');
  const results = await measurePreparation(reps, log, false, new URL(import.meta.url));
  process.stdout.write(
    args.includes('--json') ? `${JSON.stringify({ stage: 'prepare', results })}\n` : `${prepareTable(results)}\n`,
  );
  process.exit(0);
}
