/**
 * Trainer benchmark (Node, one process): the project's training loop against plain tfjs on the
 * same MLP (784-128-10, Adam), batch sizes 64, 512 and 4096, on tfjs-cpu and, where Dawn finds
 * an adapter, on tfjs-webgpu (see bench/trainer-workloads.ts for what each case does).
 *
 *   npx tsx bench/trainer.ts [--json] [--reps N] [--backends cpu,webgpu] [--steps-scale X]
 *   (without a GPU: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 *
 * One warm-up run per case, then `reps` (default 3) timed runs round-robin; median, min, max in
 * samples/s. Ratios are trainbench / anchor (above 1: the project's trainer is faster).
 * Progress goes to stderr; with --json stdout holds one document:
 *   { stage: 'trainer', machine, results: [{ name, median, min, max, unit }], ratios }
 */
import { arch, cpus, loadavg, platform } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { installNodeWebGpu } from '../src/gpu/node-webgpu';
import { probeWebGpu } from '../src/gpu/probe';
import { benchArgs } from './harness';
import { measure, ratios, sinkValue, table, type Timing, type Workload } from './trainer-workloads';

const { asJson, flag } = benchArgs();
const REPS = Math.max(1, Number(flag('--reps', '3')));
const BACKENDS = flag('--backends', 'cpu,webgpu').split(',');
const SCALE = Number(flag('--steps-scale', '1'));
const log = (m: string) => process.stderr.write(`[trainer] ${m}\n`);

/** Steps per timed run: about 0.5-2 s each on tfjs-cpu here, longer on faster backends. */
const STEPS: Record<string, Record<number, number>> = {
  cpu: { 64: 40, 512: 10, 4096: 3 },
  webgpu: { 64: 40, 512: 20, 4096: 6 },
};

tf.env().set('PROD', true);
const results: Timing[] = [];
const allRatios: Record<string, number> = {};
const backends: Record<string, unknown> = {};
for (const backend of BACKENDS) {
  if (backend === 'webgpu') {
    const loaded = await installNodeWebGpu();
    const probe = loaded ? await probeWebGpu() : { reason: 'the npm package "webgpu" did not load' };
    if ('reason' in probe) {
      log(`skipping webgpu: ${probe.reason}`);
      backends.webgpu = { skipped: probe.reason };
      continue;
    }
    backends.webgpu = probe;
  } else backends[backend] = {};
  if (!(await tf.setBackend(backend))) {
    log(`skipping ${backend}: it failed to start`);
    continue;
  }
  await tf.ready();
  for (const batch of [64, 512, 4096]) {
    const w: Workload = {
      name: `${backend} mlp-784-128-10 adam b${batch}`,
      inputs: 784,
      hidden: [128],
      classes: 10,
      optimizer: 'adam',
      learningRate: 0.001,
      batch,
      steps: Math.max(2, Math.round(STEPS[backend]?.[batch] ?? 10) * SCALE),
    };
    const t = await measure(w, REPS, 2, log);
    results.push(...t);
    Object.assign(allRatios, ratios(w, t));
  }
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  platform: `${platform()} ${arch()}`,
  node: process.versions.node,
  loadavg: loadavg().map((v) => Number(v.toFixed(2))),
  tfjs: tf.version.tfjs,
  backends,
};
if (asJson) {
  process.stdout.write(
    `${JSON.stringify({ stage: 'trainer', machine, results: results.map(({ name, median, min, max, unit }) => ({ name, median, min, max, unit })), ratios: allRatios })}\n`,
  );
} else {
  process.stdout.write(
    `${JSON.stringify(machine)}\n\n${table(results)}\n\n${Object.entries(allRatios)
      .map(([k, v]) => `${k}: ${v.toFixed(2)}x`)
      .join('\n')}\n`,
  );
}
log(`sink ${sinkValue().toFixed(3)}`);
