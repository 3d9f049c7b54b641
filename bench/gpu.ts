/**
 * The trainer on a real GPU through Node + Dawn (see docs/gpu.md): the project's training loop on
 * the tfjs engine and on the WGSL engine (f32, fp16-mixed packed, and native where the adapter has
 * shader-f16), against plain tfjs-backend-webgpu in one process, on the workloads docs/gpu.md measured
 * (first the engine's forward matmul alone at 1024 and 4096, every variant, in TFLOP/s):
 *   MLP 784-1024-1024-10, Adam, batch 512 and 4096; MLP 784-128-10, SGD, batch 64;
 * and the convolutions issue's: the cnn model on 28x28x1 rows (filters [8, 16], Adam, batch 64)
 * and on 32x32x3 (filters [32, 64], hidden 128, batch 256). `--only=cnn` runs those alone;
 * `--only=prepare` the batch preparation cases; `--only=sparse` the CSR kernels of a pruned layer;
 * `--only=mlp` the matmuls and MLP workloads; `--reps=N` times each case N times (default 5).
 * Runners as in bench/trainer-workloads.ts (trainbench, tfjs minimize, tfjs trainOnBatch). Each timed run
 * covers 150 steps at batch 512 and 100 at batch 4096 (60 and 30 until 2026-11-30: too short once a
 * step takes 2 ms, start-up and the first read-back weighed on the figure), for every runner alike.
 * A warm-up run per case, then reps round-robin; median/min/max samples/s; a short table last.
 *
 *   npm run bench:gpu:bundle                       # -> .bench-out/gpu.mjs (webgpu left external)
 *   bash .gpu/run.sh .bench-out/gpu.mjs --json     # on the GPU machine, from the project's root
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node .bench-out/gpu.mjs --quick   # here
 *
 * --quick: a smaller model (hidden / 16, batch <= 256), 2 steps per run, 1 rep: a smoke test of
 * the bundle on SwiftShader, not a measurement.
 * Before any timing, the numerics on this GPU: the float64 one-step checks of kernels.test.ts
 * (float64-check.ts) in every format the device has, the native float16 path included (never
 * run on NVIDIA's rounding before), and a convergence check: 300 Adam steps of a 784-256-10 MLP
 * on seeded rows in f32 and each float16 path, the final losses compared.
 * After the timings, where a step's time goes for the two 784-1024-1024-10 workloads: wall
 * ms/step of the engine's own loop, the GPU time of the step's compute pass (timestamp queries),
 * and the upload of one batch alone (writeBuffer, then onSubmittedWorkDone).
 * Total runtime on an H200-class GPU: well under 3 minutes (about 1 minute expected).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs';
import { arch, cpus, platform } from 'node:os';
import { openEngineGpu, type EngineGpu } from '../src/gpu/engine/device';
import { createWgslEngine } from '../src/gpu/engine/engine';
import { CHECK_CASES, CHECK_FORMATS, checkOneStep, verdict, type CheckFormat } from '../src/gpu/engine/float64-check';
import { mlpConfig, seededRows } from '../src/gpu/engine/test-support';
import { benchMatmul, type MatmulResult } from './matmul';
import { serveDataThread } from './data-thread';
import { measurePreparation, PREPARE_CASES, prepareTable } from './prepare';
import { measureSparse, sparseTable } from './sparse-workload';
import {
  makeBatches,
  measure,
  MNIST_CNN,
  RUNNERS,
  ratios,
  sinkValue,
  startWebGpu,
  table,
  wgslRunners,
  workloadModel,
  type Timing,
  type Workload,
} from './trainer-workloads';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const quick = args.includes('--quick');
const log = (m: string) => process.stderr.write(`[gpu] ${m}\n`);
const started = performance.now();

const WORKLOADS: Workload[] = [
  {
    name: 'mlp-784-1024-1024-10 adam b512',
    inputs: 784,
    hidden: [1024, 1024],
    classes: 10,
    optimizer: 'adam',
    learningRate: 0.001,
    batch: 512,
    steps: 150,
  },
  {
    name: 'mlp-784-1024-1024-10 adam b4096',
    inputs: 784,
    hidden: [1024, 1024],
    classes: 10,
    optimizer: 'adam',
    learningRate: 0.001,
    batch: 4096,
    steps: 100,
  },
  {
    name: 'mlp-784-128-10 sgd b64',
    inputs: 784,
    hidden: [128],
    classes: 10,
    optimizer: 'sgd',
    learningRate: 0.01,
    batch: 64,
    steps: 100,
  },
  // The convolutions issue's workloads: the cnn model's defaults on MNIST-shaped rows at batch
  // 64, and a CIFAR-shaped synthetic set (32x32x3) at batch 256.
  MNIST_CNN,
  {
    name: 'cnn-32x32x3 [32,64] h128 adam b256',
    inputs: 3072,
    hidden: [128],
    classes: 10,
    optimizer: 'adam',
    learningRate: 0.001,
    batch: 256,
    steps: 60,
    cnn: { inputShape: [32, 32, 3], filters: [32, 64] },
  },
];
/** --only cnn: the image workloads alone (numerics, their timings and step anatomy). */
const onlyCnn = args.includes('--only=cnn');
/** --only=prepare: numerics, then the worker-or-GPU batch preparation cases alone (bench/prepare.ts). */
const onlyPrepare = args.includes('--only=prepare');
/**
 * --prefetch=4,12: the first preparation case alone, once per prefetch depth (how much of its data
 * wait is the hand-over of batches between threads rather than their preparation).
 */
const prefetchArg = args.find((a) => a.startsWith('--prefetch='));
const prepareCases = prefetchArg
  ? prefetchArg
      .slice(11)
      .split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n >= 1)
      .map((prefetch) => ({ ...PREPARE_CASES[0], name: `${PREPARE_CASES[0].name} prefetch ${prefetch}`, prefetch }))
  : PREPARE_CASES;
/** --only=sparse: numerics, then the CSR kernels of a pruned 4096 x 4096 layer against its dense products (bench/sparse-workload.ts). */
const onlySparse = args.includes('--only=sparse');
/** --only=mlp: numerics, the forward matmuls, then the MLP workloads and their step anatomy alone. */
const onlyMlp = args.includes('--only=mlp');
const isCnn = (w: Workload) => w.cnn !== undefined;
/** --reps=N: timed runs per case (default 5): fewer fit a short device lease (bench/gpu-pending.sh). */
const repsArg = args.find((a) => a.startsWith('--reps='));
const REPS = quick ? 1 : repsArg ? Math.max(1, Number.parseInt(repsArg.slice(7), 10) || 5) : 5;
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
  const formats: CheckFormat[] = [
    CHECK_FORMATS.f32,
    CHECK_FORMATS.packed,
    ...(engineGpu.f16 ? [CHECK_FORMATS.native] : []),
  ];
  const numerics = await checkNumerics(engineGpu, formats, quick);
  const runners = { ...RUNNERS, ...wgslRunners(engineGpu) };
  const ours = ['trainbench', ...Object.keys(runners).filter((n) => n.startsWith('wgsl'))];
  const results: Timing[] = [];
  const allRatios: Record<string, number> = {};
  const matmuls: MatmulResult[] = [];
  for (const n of onlyCnn || onlyPrepare || onlySparse ? [] : quick ? [256] : [1024, 4096]) {
    for (const format of ['f32', 'packed', ...(engineGpu.f16 ? ['native' as const] : [])] as const) {
      const r = await benchMatmul(engineGpu, n, format, quick ? 2 : 10);
      for (const m of r)
        log(
          `matmul ${n} ${format} ${m.variant.core}-${m.variant.tile}: ${m.tflops.toPrecision(3)} TFLOP/s ` +
            `(${m.ms.toFixed(3)} ms, max rel error ${m.maxRelError.toExponential(1)})`,
        );
      matmuls.push(...r);
    }
  }
  const timed = (w: Workload) => !onlyPrepare && !onlySparse && (onlyCnn ? isCnn(w) : !onlyMlp || !isCnn(w));
  for (const w0 of WORKLOADS.filter(timed)) {
    // SwiftShader runs the full 784-1024-1024-10 at about 20 samples/s: --quick shrinks the model
    // (hidden widths / 16, batch at most 256) so the smoke test exercises every path in seconds.
    const w = quick
      ? {
          ...w0,
          name: `${w0.name} (quick: smaller)`,
          hidden: w0.hidden.map((h) => Math.max(8, h >> 4)),
          batch: Math.min(w0.batch, isCnn(w0) ? 16 : 256),
          steps: 2,
        }
      : w0;
    const t = await measure(w, REPS, WARMUP_STEPS, log, runners);
    results.push(...t);
    Object.assign(allRatios, ratios(w, t, ours));
  }
  const anatomy: Anatomy[] = [];
  for (const w0 of WORKLOADS.filter((w, i) => timed(w) && (i < 2 || isCnn(w)))) {
    const w = quick
      ? {
          ...w0,
          hidden: w0.hidden.map((h) => Math.max(8, h >> 4)),
          batch: Math.min(w0.batch, isCnn(w0) ? 16 : 256),
        }
      : w0;
    for (const f of formats) anatomy.push(await stepAnatomy(engineGpu, w, f, quick ? 3 : 40));
  }
  // Worker or GPU preparation of the MNIST sample's batches, through the workbench's services.
  const preparation =
    onlyCnn || onlySparse || onlyMlp
      ? []
      : await measurePreparation(quick ? 1 : 3, log, quick, new URL(import.meta.url), prepareCases);
  // Pruned layers: the CSR kernels against the dense products (only with --only=sparse; --quick: a small smoke case).
  const sparse =
    onlySparse || quick
      ? await measureSparse(
          engineGpu,
          quick
            ? { width: 64, batch: 16, reps: 1, steps: 1, sparsities: [0.9] }
            : { inputs: 1024, width: 4096, batch: 512, reps: 5, steps: 10, sparsities: [0.5, 0.9, 0.99] },
          log,
        )
      : [];
  const machine = {
    adapter: probe.adapter,
    features: probe.features,
    backend: 'webgpu',
    runtime: `node ${process.versions.node} + dawn`,
    tfjs: tf.version.tfjs,
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${platform()} ${arch()}`,
    quick,
    reps: REPS,
    seconds: Math.round((performance.now() - started) / 1000),
  };
  const best = (n: number, format: string) =>
    matmuls.filter((m) => m.n === n && m.format === format).sort((x, y) => y.tflops - x.tflops)[0];
  const matmulLines = [...new Set(matmuls.map((m) => `${m.n}/${m.format}`))].map((key) => {
    const [n, format] = key.split('/');
    const m = best(Number(n), format);
    return `matmul ${n} ${format}: ${m.tflops.toPrecision(3)} TFLOP/s (${m.variant.core}-${m.variant.tile})`;
  });
  const numericLines = numerics.map((n) => `${n.pass ? 'ok  ' : 'FAIL'} ${n.what}: ${n.detail}`);
  const anatomyLines = anatomy.map((a) => {
    const gbs = (ms: number) => (a.uploadBytes / ms / 1e6).toFixed(2);
    const gpuPass = a.gpuMs === null ? 'n/a' : a.gpuMs.toFixed(2);
    return [
      `step anatomy ${a.workload} ${a.format}: wall ${a.wallMs.toFixed(2)} ms/step, GPU pass ${gpuPass} ms,`,
      ` upload of one batch alone ${a.uploadMs.toFixed(2)} ms (${gbs(a.uploadMs)} GB/s),`,
      ` through mapped staging buffers ${a.stagedMs.toFixed(2)} ms (${gbs(a.stagedMs)} GB/s)`,
      `\n  per dispatch (kernel grid ms): ${a.kernels.join('; ')}`,
    ].join('');
  });
  const short = `${numericLines.join('\n')}\n\n${anatomyLines.join('\n')}\n\n${prepareTable(preparation)}\n\n${sparse.length ? `${sparseTable(sparse, quick ? 1 : 5, String(probe.adapter?.architecture ?? ''))}\n\n` : ''}${table(results)}\n\n${matmulLines.join('\n')}\n\n${Object.entries(
    allRatios,
  )
    .map(([k, v]) => `${k}: ${v.toFixed(2)}x`)
    .join('\n')}\n`;
  if (asJson) {
    process.stdout.write(
      `${JSON.stringify({ stage: 'trainer-gpu', machine, results: results.map(({ name, median, min, max, unit }) => ({ name, median, min, max, unit })), matmuls, ratios: allRatios, numerics, anatomy, preparation, sparse })}\n`,
    );
    process.stderr.write(`\n${JSON.stringify(machine)}\n${short}`);
  } else process.stdout.write(`${JSON.stringify(machine)}\n\n${short}`);
  log(`done in ${machine.seconds} s (sink ${sinkValue().toFixed(3)})`);
  return numerics.every((n) => n.pass) ? 0 : 2;
}

interface Anatomy {
  workload: string;
  format: string;
  wallMs: number;
  /** Median GPU time of a step's compute pass; null without timestamp queries. */
  gpuMs: number | null;
  uploadMs: number;
  /** The same upload through a ring of three mapped staging buffers. */
  stagedMs: number;
  uploadBytes: number;
  /** Each dispatch of the step alone: kernel, grid, ms. */
  kernels: string[];
}

/**
 * Where one step's time goes: the engine stepped directly (every step timed, a drain every 10),
 * against one batch's upload on its own (the same bytes through writeBuffer, `steps` times,
 * waited for with onSubmittedWorkDone).
 */
async function stepAnatomy(gpu: EngineGpu, w: Workload, f: CheckFormat, steps: number): Promise<Anatomy> {
  const batches = makeBatches(w, 2);
  const config = {
    ...mlpConfig({
      hidden: w.hidden,
      batchSize: w.batch,
      precision: f.precision,
      optimizer: { name: w.optimizer, learningRate: w.learningRate },
    }),
    model: workloadModel(w),
  };
  const engine = await createWgslEngine(config, { task: 'classification', dim: w.inputs, outputs: w.classes }, gpu, {
    f16Path: f.f16Path,
  });
  const gpuMs: number[] = [];
  const kernels: string[] = [];
  let wallMs: number;
  try {
    const run = async (n: number, timed: boolean) => {
      for (let s = 0; s < n; s++) {
        const b = batches[s % 2];
        await engine.step({ x: b.x, y: b.y, size: w.batch, epoch: 0, index: s, lastInEpoch: false }, timed);
        if (s % 10 === 9 || s === n - 1) for (const g of (await engine.drain()).gpuMs) if (g !== null) gpuMs.push(g);
      }
    };
    await run(5, false);
    const t0 = performance.now();
    await run(steps, true);
    wallMs = (performance.now() - t0) / steps;
    // Each dispatch of the step on its own (5 runs in one timed pass). The engine's plan is
    // private: reached here, in a benchmark, on purpose.
    const internals = engine as unknown as {
      trainPass: { kernel: { kernel: string }; x: number; y: number; z?: number }[];
      timeDispatch(d: unknown, reps: number): Promise<number>;
    };
    for (const d of internals.trainPass)
      kernels.push(
        `${d.kernel.kernel} ${d.x}x${d.y}${d.z ? `x${d.z}` : ''} ${(await internals.timeDispatch(d, 5)).toFixed(3)}`,
      );
  } finally {
    engine.dispose();
  }
  const bytes = 4 * w.batch * w.inputs;
  const buf = gpu.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  let uploadMs: number;
  let stagedMs: number;
  const ring = [0, 1, 2].map(() =>
    gpu.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC }),
  );
  try {
    gpu.device.queue.writeBuffer(buf, 0, batches[0].x.buffer, batches[0].x.byteOffset, bytes);
    await gpu.device.queue.onSubmittedWorkDone();
    let t0 = performance.now();
    for (let s = 0; s < steps; s++)
      gpu.device.queue.writeBuffer(buf, 0, batches[s % 2].x.buffer, batches[s % 2].x.byteOffset, bytes);
    await gpu.device.queue.onSubmittedWorkDone();
    uploadMs = (performance.now() - t0) / steps;
    // The same bytes through a ring of mapped staging buffers: map (waits for the copy that last
    // read it), fill, unmap, copy on the GPU; the alternative to writeBuffer's own staging.
    const mapped: (Promise<void> | null)[] = ring.map(() => null);
    t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      const i = s % ring.length;
      await (mapped[i] ?? ring[i].mapAsync(GPUMapMode.WRITE));
      const x = batches[s % 2].x;
      new Float32Array(ring[i].getMappedRange(0, bytes)).set(x.subarray(0, bytes / 4));
      ring[i].unmap();
      const enc = gpu.device.createCommandEncoder();
      enc.copyBufferToBuffer(ring[i], 0, buf, 0, bytes);
      gpu.device.queue.submit([enc.finish()]);
      mapped[i] = ring[i].mapAsync(GPUMapMode.WRITE);
    }
    await gpu.device.queue.onSubmittedWorkDone();
    stagedMs = (performance.now() - t0) / steps;
    await Promise.all(mapped);
  } finally {
    gpu.destroyBuffer(buf);
    for (const r of ring) gpu.destroyBuffer(r);
  }
  const sorted = [...gpuMs].sort((a, b) => a - b);
  const a: Anatomy = {
    workload: `${w.inputs}-${w.hidden.join('-')}-${w.classes} b${w.batch}`,
    format: f.label,
    wallMs,
    gpuMs: sorted.length ? sorted[sorted.length >> 1] : null,
    uploadMs,
    stagedMs,
    uploadBytes: bytes,
    kernels,
  };
  log(
    `step anatomy ${a.workload} ${a.format}: wall ${a.wallMs.toFixed(2)} ms, GPU ` +
      `pass ${a.gpuMs?.toFixed(2) ?? 'n/a'} ms, upload ${a.uploadMs.toFixed(2)} ms (staged ${a.stagedMs.toFixed(2)})`,
  );
  return a;
}

interface Numeric {
  what: string;
  pass: boolean;
  detail: string;
}

/**
 * The numerics on this device: every float64 one-step case in every format, then a convergence
 * check (the float16 paths' final loss within 5% of f32's, and below half the first loss after 300 steps).
 */
async function checkNumerics(gpu: EngineGpu, formats: CheckFormat[], quick: boolean): Promise<Numeric[]> {
  const out: Numeric[] = [];
  for (const f of formats) {
    for (const c of CHECK_CASES) {
      const r = await checkOneStep(gpu, c, f);
      const v = verdict(r, f);
      const worst = r.measures.reduce((a, b) => (b.rel > a.rel ? b : a));
      out.push({
        what: `float64 one step, ${f.label}, ${c.name}`,
        pass: v.pass,
        detail:
          `max rel ${v.maxRel.toExponential(2)} (${worst.what}; tol ${f.tol}), min ` +
          (`cosine ${v.minCos.toFixed(6)}, ` +
            `format ${r.format}${r.dirtyPadding ? `, ${r.dirtyPadding} dirty padding` : ''}`),
      });
      log(`${out[out.length - 1].pass ? 'ok' : 'FAIL'} ${out[out.length - 1].what}: ${out[out.length - 1].detail}`);
    }
  }
  const steps = Number(process.env.GPU_CHECK_STEPS) || (quick ? 60 : 300);
  const rows = 8192;
  const batch = 512;
  const hidden = quick ? [32] : [256];
  const { x, y } = seededRows(rows, 784, { classes: 10 }, 11);
  const task = { task: 'classification' as const, dim: 784, outputs: 10 };
  const curves: Record<string, number[]> = {};
  for (const f of formats) {
    const config = mlpConfig({
      hidden,
      batchSize: batch,
      precision: f.precision,
      optimizer: { name: 'adam', learningRate: 0.001 },
      seed: 5,
    });
    const engine = await createWgslEngine(config, task, gpu, { f16Path: f.f16Path });
    const losses: number[] = [];
    try {
      for (let s = 0; s < steps; s++) {
        const at = (s * batch) % rows;
        await engine.step(
          {
            x: x.subarray(at * 784, (at + batch) * 784),
            y: y.subarray(at, at + batch),
            size: batch,
            epoch: Math.floor((s * batch) / rows),
            index: s,
            lastInEpoch: (at + batch) % rows === 0,
          },
          false,
        );
        if (s % 25 === 24 || s === steps - 1) losses.push(...(await engine.drain()).losses);
      }
    } finally {
      engine.dispose();
    }
    curves[f.label] = losses;
  }
  const tail = (l: number[]) => l.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, l.length);
  const base = curves[CHECK_FORMATS.f32.label];
  for (const f of formats) {
    const l = curves[f.label];
    const drop = tail(l) / l[0];
    const vsF32 = tail(l) / tail(base);
    const pass = l.every(Number.isFinite) && drop < (steps >= 300 ? 0.5 : 0.9) && Math.abs(vsF32 - 1) < 0.05;
    out.push({
      what: `convergence, ${f.label}, 784-${hidden.join('-')}-10 adam, ${steps} steps`,
      pass,
      detail: `first loss ${l[0].toFixed(4)}, last-20 mean ${tail(l).toFixed(5)}, ${vsF32.toFixed(5)}x f32's`,
    });
    log(`${pass ? 'ok' : 'FAIL'} ${out[out.length - 1].what}: ${out[out.length - 1].detail}`);
  }
  return out;
}

// The data thread of the preparation cases (bench/data-thread.ts) runs this bundle too: it only serves.
if (!serveDataThread())
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      log(`failed: ${e.stack ?? e.message}`);
      process.exit(1);
    },
  );
