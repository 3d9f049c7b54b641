/**
 * The trainer on a real GPU through Node + Dawn (see docs/gpu.md): the project's training loop on
 * the tfjs engine and on the WGSL engine (f32, fp16-mixed packed, and native where the adapter has
 * shader-f16), against plain tfjs-backend-webgpu in one process, on the workloads docs/gpu.md measured
 * (first the engine's forward matmul alone at 1024 and 4096, every variant, in TFLOP/s):
 *   MLP 784-1024-1024-10, Adam, batch 512 and 4096; MLP 784-128-10, SGD, batch 64.
 * Runners as in bench/trainer-workloads.ts (trainbench, tfjs minimize, tfjs trainOnBatch).
 * A warm-up run per case, then reps round-robin; median/min/max samples/s; a short table last.
 *
 *   npm run bench:gpu:bundle                       # -> .bench-out/gpu.mjs (webgpu left external)
 *   bash .gpu/run.sh .bench-out/gpu.mjs --json     # on the GPU machine, from the project's root
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node .bench-out/gpu.mjs --quick   # here
 *
 * --quick: a smaller model (hidden / 16, batch <= 256), 2 steps per run, 1 rep: a smoke test of
 * the bundle on SwiftShader, not a measurement.
 * Total runtime on an H200-class GPU: well under 3 minutes (about 1 minute expected).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs';
import { arch, cpus, platform } from 'node:os';
import { openEngineGpu } from '../src/gpu/engine/device';
import { benchMatmul, type MatmulResult } from './matmul';
import { measure, RUNNERS, ratios, sinkValue, startWebGpu, table, wgslRunners, type Timing, type Workload } from './trainer-workloads';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const quick = args.includes('--quick');
const log = (m: string) => process.stderr.write(`[gpu] ${m}\n`);
const started = performance.now();

const WORKLOADS: Workload[] = [
  { name: 'mlp-784-1024-1024-10 adam b512', inputs: 784, hidden: [1024, 1024], classes: 10, optimizer: 'adam', learningRate: 0.001, batch: 512, steps: 60 },
  { name: 'mlp-784-1024-1024-10 adam b4096', inputs: 784, hidden: [1024, 1024], classes: 10, optimizer: 'adam', learningRate: 0.001, batch: 4096, steps: 30 },
  { name: 'mlp-784-128-10 sgd b64', inputs: 784, hidden: [128], classes: 10, optimizer: 'sgd', learningRate: 0.01, batch: 64, steps: 100 },
];
const REPS = quick ? 1 : 5;
const WARMUP_STEPS = quick ? 1 : 5;

async function main(): Promise<number> {
  // On NVIDIA's Vulkan driver Dawn hides shader-f16 unless this toggle is on: with it, the
  // native float16 path runs beside the packed one (elsewhere the toggle changes nothing).
  const probe = await startWebGpu(log, ['enable-dawn-features=vulkan_enable_f16_on_nvidia']);
  if (!probe) return 1;

  // The WGSL engine on its own device (with shader-f16 where the adapter has it: then both the
  // native and the packed float16 paths run).
  const engineGpu = await openEngineGpu();
  if ('reason' in engineGpu) {
    log(`the wgsl engine has no device: ${engineGpu.reason}`);
    return 1;
  }
  const runners = { ...RUNNERS, ...wgslRunners(engineGpu) };
  const ours = ['trainbench', ...Object.keys(runners).filter((n) => n.startsWith('wgsl'))];
  const results: Timing[] = [];
  const allRatios: Record<string, number> = {};
  const matmuls: MatmulResult[] = [];
  for (const n of quick ? [256] : [1024, 4096]) {
    for (const format of ['f32', 'packed', ...(engineGpu.f16 ? ['native' as const] : [])] as const) {
      const r = await benchMatmul(engineGpu, n, format, quick ? 2 : 10);
      for (const m of r) log(`matmul ${n} ${format} ${m.variant.core}-${m.variant.tile}: ${m.tflops.toPrecision(3)} TFLOP/s (${m.ms.toFixed(3)} ms, max rel error ${m.maxRelError.toExponential(1)})`);
      matmuls.push(...r);
    }
  }
  for (const w0 of WORKLOADS) {
    // SwiftShader runs the full 784-1024-1024-10 at about 20 samples/s: --quick shrinks the model
    // (hidden widths / 16, batch at most 256) so the smoke test exercises every path in seconds.
    const w = quick ? { ...w0, name: `${w0.name} (quick: smaller)`, hidden: w0.hidden.map((h) => Math.max(8, h >> 4)), batch: Math.min(w0.batch, 256), steps: 2 } : w0;
    const t = await measure(w, REPS, WARMUP_STEPS, log, runners);
    results.push(...t);
    Object.assign(allRatios, ratios(w, t, ours));
  }
  const machine = {
    adapter: probe.adapter, features: probe.features, backend: 'webgpu', runtime: `node ${process.versions.node} + dawn`, tfjs: tf.version.tfjs,
    cpu: cpus()[0]?.model ?? 'unknown', platform: `${platform()} ${arch()}`, quick, seconds: Math.round((performance.now() - started) / 1000),
  };
  const best = (n: number, format: string) => matmuls.filter((m) => m.n === n && m.format === format).sort((x, y) => y.tflops - x.tflops)[0];
  const matmulLines = [...new Set(matmuls.map((m) => `${m.n}/${m.format}`))].map((key) => {
    const [n, format] = key.split('/');
    const m = best(Number(n), format);
    return `matmul ${n} ${format}: ${m.tflops.toPrecision(3)} TFLOP/s (${m.variant.core}-${m.variant.tile})`;
  });
  const short = `${table(results)}\n\n${matmulLines.join('\n')}\n\n${Object.entries(allRatios).map(([k, v]) => `${k}: ${v.toFixed(2)}x`).join('\n')}\n`;
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ stage: 'trainer-gpu', machine, results: results.map(({ name, median, min, max, unit }) => ({ name, median, min, max, unit })), matmuls, ratios: allRatios })}\n`);
    process.stderr.write(`\n${JSON.stringify(machine)}\n${short}`);
  } else process.stdout.write(`${JSON.stringify(machine)}\n\n${short}`);
  log(`done in ${machine.seconds} s (sink ${sinkValue().toFixed(3)})`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    log(`failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
