/**
 * Where should a batch be prepared, the data worker or the GPU? (`prepareOn`, the convolutions
 * issue.) The MNIST sample through the workbench's own data and trainer services (in this
 * process, as the CLI runs them), on the wgsl engine, once with batches standardised by the data
 * side and once with raw pixel bytes standardised by the engine's prepare kernel: steady-state
 * samples/s, the data-wait share of the step (after the first 10 steps) and the bytes uploaded
 * per batch; one warm-up run per case, then `reps` runs round-robin, medians.
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
import { localServices } from '../src/services/local-services';
import type { TrainerEvent } from '../src/services/protocol';
import { runPipeline } from '../src/services/run-pipeline';

export interface PrepareCase {
  name: string;
  batchSize: number;
  model: RunConfig['model'];
  epochs: number;
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
];

export interface PrepareResult {
  name: string;
  prepareOn: 'worker' | 'gpu';
  samplesPerSec: number;
  dataWait: number | null;
  batchBytes: number;
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function once(bytes: Uint8Array, c: PrepareCase, prepareOn: 'worker' | 'gpu') {
  const events: TrainerEvent[] = [];
  const services = localServices((e) => events.push(e));
  const summary = await services.data.call('load', { name: 'mnist-2k.arrow', bytes: bytes.slice().buffer });
  await services.trainer.call('init', { preferred: 'webgpu' });
  const config: RunConfig = {
    ...makeRunConfig(
      { ...DEFAULT_SETTINGS, engine: 'wgsl', batchSize: c.batchSize, epochs: c.epochs, model: c.model, prepareOn },
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

/** Every case both ways: a warm-up each, then `reps` runs round-robin. */
export async function measurePreparation(
  reps: number,
  log: (m: string) => void,
  quick = false,
): Promise<PrepareResult[]> {
  const bytes = new Uint8Array(readFileSync('public/datasets/mnist-2k.arrow'));
  const out: PrepareResult[] = [];
  // quick: the first case for one epoch (a smoke test of the path, not a measurement).
  for (const c of quick ? [{ ...PREPARE_CASES[0], epochs: 1 }] : PREPARE_CASES) {
    const runs = { worker: [] as Awaited<ReturnType<typeof once>>[], gpu: [] as Awaited<ReturnType<typeof once>>[] };
    for (const p of ['worker', 'gpu'] as const) await once(bytes, { ...c, epochs: 1 }, p);
    for (let r = 0; r < reps; r++)
      for (const p of ['worker', 'gpu'] as const) {
        const x = await once(bytes, c, p);
        runs[p].push(x);
        log(
          `${c.name} · prepare on ${p} · rep ${r + 1}/${reps}: ${Math.round(x.rate)} samples/s, data wait ${x.wait === null ? '-' : (100 * x.wait).toFixed(2)} %`,
        );
      }
    for (const p of ['worker', 'gpu'] as const) {
      const waits = runs[p].map((x) => x.wait).filter((w): w is number => w !== null);
      out.push({
        name: c.name,
        prepareOn: p,
        samplesPerSec: med(runs[p].map((x) => x.rate)),
        dataWait: waits.length ? med(waits) : null,
        batchBytes: runs[p][0].bytes,
      });
    }
  }
  return out;
}

export function prepareTable(results: PrepareResult[]): string {
  return results
    .map(
      (r) =>
        `${r.name} · prepare on ${r.prepareOn}: ${Math.round(r.samplesPerSec)} samples/s, data wait ` +
        `${r.dataWait === null ? '-' : `${(100 * r.dataWait).toFixed(2)} %`}, ${(r.batchBytes / 1024).toFixed(1)} KB per batch`,
    )
    .join('\n');
}

if (process.argv[1]?.endsWith('prepare.ts')) {
  const args = process.argv.slice(2);
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  const log = (m: string) => process.stderr.write(`[prepare] ${m}\n`);
  const { installNodeWebGpu } = await import('../src/gpu/node-webgpu');
  if (!(await installNodeWebGpu())) throw new Error('the npm package "webgpu" (Dawn) did not load');
  await tf.setBackend('cpu');
  const results = await measurePreparation(reps, log);
  process.stdout.write(
    args.includes('--json') ? `${JSON.stringify({ stage: 'prepare', results })}\n` : `${prepareTable(results)}\n`,
  );
  process.exit(0);
}
