/**
 * The WGSL engine against tfjs-backend-webgpu, in one Node process on Dawn: the CPU-side proxy
 * of the GPU goals (on SwiftShader per-dispatch overhead and kernel efficiency dominate, as on
 * a GPU at small batch sizes). Workloads from the WGSL engine issue:
 *   MLP 784-128-10, SGD, batch 64;  MLP 784-256-256-10, Adam, batch 256.
 * Runners (bench/trainer-workloads.ts): plain tfjs `optimizer.minimize` (the anchor), the
 * project's loop on the tfjs engine, the wgsl engine in f32, and fp16-mixed (packed path; the
 * native path too where the adapter has shader-f16). One warm-up run each, then `reps` timed
 * runs round-robin; median samples/s; ratios against the anchor and fp16 against f32.
 *
 *   npx tsx bench/engine.ts [--json] [--reps N] [--steps-scale X]
 *   (no GPU: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 */
import * as tf from '@tensorflow/tfjs';
import { arch, cpus, loadavg, platform } from 'node:os';
import { openEngineGpu } from '../src/gpu/engine/device';
import { benchArgs } from './harness';
import {
  measure,
  MNIST_CNN,
  RUNNERS,
  ratios,
  sinkValue,
  startWebGpu,
  table,
  wgslRunners,
  type Timing,
  type Workload,
} from './trainer-workloads';

const { asJson, flag } = benchArgs();
const REPS = Math.max(1, Number(flag('--reps', '3')));
const SCALE = Number(flag('--steps-scale', '1'));
const log = (m: string) => process.stderr.write(`[engine] ${m}\n`);

const WORKLOADS: Workload[] = [
  {
    name: 'mlp-784-128-10 sgd b64',
    inputs: 784,
    hidden: [128],
    classes: 10,
    optimizer: 'sgd',
    learningRate: 0.01,
    batch: 64,
    steps: 20,
  },
  {
    name: 'mlp-784-256-256-10 adam b256',
    inputs: 784,
    hidden: [256, 256],
    classes: 10,
    optimizer: 'adam',
    learningRate: 0.001,
    batch: 256,
    steps: 6,
  },
  // The issue's CPU-side goal: wgsl 2x tfjs on the MNIST CNN.
  { ...MNIST_CNN, steps: 6 },
];

async function main(): Promise<number> {
  if (!(await startWebGpu(log))) return 1;
  const gpu = await openEngineGpu();
  if ('reason' in gpu) {
    log(`no WebGPU device for the engine: ${gpu.reason}`);
    return 1;
  }
  log(`adapter ${gpu.adapter.vendor} ${gpu.adapter.architecture}; shader-f16 ${gpu.f16}; timestamps ${gpu.timestamps}`);
  const runners = { 'tfjs minimize': RUNNERS['tfjs minimize'], trainbench: RUNNERS.trainbench, ...wgslRunners(gpu) };
  const results: Timing[] = [];
  const allRatios: Record<string, number> = {};
  for (const w0 of WORKLOADS) {
    const w = { ...w0, steps: Math.max(2, Math.round(w0.steps * SCALE)) };
    const t = await measure(w, REPS, 2, log, runners);
    results.push(...t);
    Object.assign(
      allRatios,
      ratios(
        w,
        t,
        Object.keys(runners).filter((n) => n.startsWith('wgsl') || n === 'trainbench'),
      ),
    );
  }
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    platform: `${platform()} ${arch()}`,
    node: process.versions.node,
    loadavg: loadavg().map((v) => Number(v.toFixed(2))),
    tfjs: tf.version.tfjs,
    adapter: gpu.adapter,
    features: gpu.adapterFeatures,
    date: new Date().toISOString().slice(0, 10),
  };
  const short = `${table(results)}\n\n${Object.entries(allRatios)
    .map(([k, v]) => `${k}: ${v.toFixed(2)}x`)
    .join('\n')}\n`;
  if (asJson)
    process.stdout.write(
      `${JSON.stringify({ stage: 'engine', machine, results: results.map(({ name, median, min, max, unit }) => ({ name, median, min, max, unit })), ratios: allRatios })}\n`,
    );
  else process.stdout.write(`${JSON.stringify(machine)}\n\n${short}`);
  log(`sink ${sinkValue().toFixed(3)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    log(`failed: ${e.message}`);
    process.exit(1);
  },
);
