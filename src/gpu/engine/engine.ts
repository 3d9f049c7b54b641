/**
 * The WGSL engine: a network (an MLP, or the cnn and dscnn models: image layers in front of
 * dense ones, net-layout.ts) trained by the project's own kernels (src/gpu/engine/wgsl) on its own
 * GPUDevice. A whole step (input conversion, forward with bias and activation fused, loss and
 * its gradient fused, weight+bias gradients as one product, input gradients with the activation
 * derivative fused, gradient norm, one optimizer dispatch over the flat parameter buffer, the
 * loss-scale update) is recorded in ONE compute pass and one submit. Losses go to a ring on the
 * GPU and come back in groups through one staging buffer (`drain`): no per-step sync.
 *
 * fp16-mixed: float32 master weights, gradients and optimizer slots; a float16 copy of the
 * weights (refreshed by the optimizer kernel) and float16 activations and deltas feed the
 * matmuls, which accumulate in float32; dynamic loss scaling with GradScaler's rules, decided on
 * the GPU (see precision.ts and scaler.wgsl).
 */
import type { Batch, TrainEngine, ValidationRows } from '../../core/train/engine';
import { ConfigError } from '../../core/train/errors';
import { lossFor, lossOutputs, type Task } from '../../core/train/loss';
import type { ModelSpec } from '../../core/train/model';
import { validateOptimizerSpec, type OptimizerSpec } from '../../core/train/optimizer-spec';
import type { RunConfig } from '../../core/train/record';
import { learningRateAt } from '../../core/train/schedules';
import { GpuError } from '../errors';
import type { EngineGpu } from './device';
import { roundUp, type MlpLayout } from './layout';
import {
  forEachParameter,
  netInitialParameters,
  netLayout,
  netParameters,
  netTensorSizes,
  type NetLayout,
} from './net-layout';
import { SPARSE_CANDIDATE, sparseStructure, type SparseStructure } from './sparse';
import type { SparseLayerReport } from '../../core/train/record';
import { bindGroup, getKernel, GRADS_BINDING, type Kernel } from './pipelines';
import {
  CONV_VARIANTS,
  convVariantFor,
  cpuWeightGradientVariant,
  DIRECT,
  kSlices,
  matmulCandidates,
  tuneMatmul,
  variantColumns,
  variantConstants,
  variantRows,
  type MatmulName,
  type MatmulVariant,
} from './tune';
import { decodeHalves } from './half';
import { planWords, prepareDims } from './prepare';
import type { TrainTask } from '../../core/train/trainer';
import { bytesPerElement, type StorageFormat } from './precision';

/** Steps that may be queued between two drains (the loss ring's length). */
export const LOSS_RING = 64;
/** Rows per validation pass (at least; the batch size when larger). */
export const EVAL_ROWS = 1024;
/** Rows per workgroup of the loss kernel (loss.wgsl WGL). */
const LOSS_ROWS = 64;
/** GradScaler's defaults (PyTorch torch.amp.GradScaler). */
export const INITIAL_LOSS_SCALE = 65536;
/** Repetitions of each product when a pruned layer's sparse and dense kernels are timed. */
const SPARSE_TIMING_REPS = 5;
export const GROWTH_INTERVAL = 2000;

const RULES: Record<OptimizerSpec['name'], { code: number; slots: number }> = {
  sgd: { code: 0, slots: 0 },
  momentum: { code: 1, slots: 1 },
  nesterov: { code: 2, slots: 1 },
  rmsprop: { code: 3, slots: 1 },
  adam: { code: 4, slots: 2 },
  adamw: { code: 5, slots: 2 },
  lion: { code: 6, slots: 1 },
};
const ACT = { relu: 1, tanh: 2, sigmoid: 3 } as const;
const LOSS_KIND = { 'softmax-ce': 0, 'binary-ce': 1, mse: 2 } as const;
/** Training with distillation (loss.wgsl): the classification kinds with the teacher's logits after the labels. */
const DISTILL_KIND = { 'softmax-ce': 3, 'binary-ce': 4 } as const;

// GPUBufferUsage / GPUMapMode values (fixed by the WebGPU spec; the globals may not exist when this module loads).
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;
const QUERY_RESOLVE = 0x200;
const MAP_WRITE = 0x2;
const READ = 0x1;
const WRITE = 0x2;
const UNIFORM_SLOT = 256;
/**
 * Staging buffers a training batch is written into (mapped), then copied from inside the step's
 * own command encoder. On an H200 through Dawn this moved a 12.8 MB batch in 1.0-1.2 ms where
 * queue.writeBuffer took 3.7-4.6 ms (bench/gpu.ts, step anatomy): the difference between a
 * batch-4096 step bound by its upload and one bound by its compute. Four, so the CPU may prepare
 * up to four steps ahead of the GPU.
 */
const STAGE_RING = 4;

export interface WgslEngineOptions {
  /** Storage of the float16 numbers in fp16-mixed runs; default native where the device has shader-f16, else packed. */
  f16Path?: 'native' | 'packed';
  /** Steps between two clean-step scale doublings (GradScaler: 2000). */
  growthInterval?: number;
  /** Initial loss scale (GradScaler: 2^16). */
  initialScale?: number;
  /** Forces one matmul variant for every product (tests, benches); default: timed per shape at start-up. */
  matmul?: MatmulVariant;
  /**
   * Pruned dense layers: 'auto' (default) times each layer's sparse products against its dense
   * ones at every mask update and runs the faster; 'always' / 'never' force a side (tests, benches).
   */
  sparseKernels?: 'auto' | 'always' | 'never';
}

interface SparseLayer {
  structure: SparseStructure;
  buffers: { colPtr: GPUBuffer; csc: GPUBuffer; rowPtr: GPUBuffer; csr: GPUBuffer };
  report: SparseLayerReport;
}

interface Dispatch {
  kernel: Kernel;
  group: GPUBindGroup;
  x: number;
  y: number;
  /** Workgroups along z (the K slices of a split product), 1 when absent. */
  z?: number;
}

interface PendingStep {
  slot: number;
  rows: number;
  timed: boolean;
}

/** The storage format a run uses, from its precision and the device. */
export function formatFor(
  precision: RunConfig['precision'],
  gpu: EngineGpu,
  f16Path?: 'native' | 'packed',
): StorageFormat {
  if (precision === 'fp32') return 'f32';
  const path = f16Path ?? (gpu.f16 ? 'native' : 'packed');
  if (path === 'native' && !gpu.f16)
    throw new ConfigError(
      'precision',
      'the native float16 path needs an adapter with shader-f16; this one has none (the packed path runs everywhere)',
    );
  return path;
}

/**
 * Builds the WGSL engine for a run: buffers, initial weights (seeded, as the tfjs engine's), pipelines, bind groups.
 */
export async function createWgslEngine(
  config: RunConfig,
  task: EngineTask,
  gpu: EngineGpu,
  options: WgslEngineOptions = {},
): Promise<WgslEngine> {
  if (gpu.lost) throw new GpuError(gpu.lost);
  if (config.model.type !== 'mlp' && !config.model.inputShape)
    throw new ConfigError('model.inputShape', 'an image model needs its input shape resolved (resolveModelSpec)');
  const e = new WgslEngine(config, task, gpu, options);
  try {
    await e.init();
  } catch (err) {
    e.dispose();
    throw err;
  }
  return e;
}

/** What the engine needs of a run's task: its shape, and the raw rows' recipe when batches are prepared on the GPU. */
export type EngineTask = { task: Task; dim: number; outputs: number; prepare?: TrainTask['prepare'] };

export class WgslEngine implements TrainEngine {
  /** The whole network; `layout` its dense layers. */
  readonly net: NetLayout;
  readonly layout: MlpLayout;
  readonly format: StorageFormat;
  readonly mixed: boolean;
  private readonly device: GPUDevice;
  private readonly buffers: GPUBuffer[] = [];
  private readonly spec: ModelSpec;
  private readonly loss: keyof typeof LOSS_KIND;
  private readonly rows: number;
  /** Offsets (elements) of the dense layers' activations and of the image nodes, for `rows` rows. */
  private readonly actOff: number[] = [];
  private readonly nodeOff: number[] = [];
  private readonly actFloats: number;
  private readonly lossGroups: number;
  private readonly directInput: boolean;
  /** prepareOn gpu: the raw rows' form and recipe (training batches only; validation rows come prepared). */
  private readonly prep: TrainTask['prepare'];
  /** 32-bit words per training row as uploaded: the features, or the raw row. */
  private readonly xWords: number;
  /** Distillation: the teacher's logits per training row (the output width), else 0; and its weights. */
  private readonly softWidth: number;
  private readonly distill: RunConfig['distill'];
  private readonly augment: { shape: [number, number, number]; pad: number; flip: boolean } | null;
  private readonly rule: { code: number; slots: number };
  /** The validated optimizer spec, every default written out (epsilon, betas, ...). */
  private readonly opt: OptimizerSpec;
  private uniformSlots = 0;
  private b!: Record<
    | 'ctl'
    | 'uniforms'
    | 'params'
    | 'grads'
    | 'slots'
    | 'wcopy'
    | 'acts'
    | 'deltas'
    | 'xRaw'
    | 'plan'
    | 'labels'
    | 'lossOut'
    | 'evalOut'
    | 'partials'
    | 'staging'
    | 'resolve'
    | 'keep',
    GPUBuffer
  >;
  private querySet: GPUQuerySet | null = null;
  /** The K slices' partial sums of split weight gradients (grown when a larger split is planned). */
  private sliceSums: GPUBuffer | null = null;
  private trainPass: Dispatch[] = [];
  private evalPass: Dispatch[] = [];
  private trainRows = -1;
  private evalRows = -1;
  /** Per dense layer: its sparse structure once pruned past SPARSE_CANDIDATE, else null. */
  private sparse: (SparseLayer | null)[] = [];
  private layerDispatches!: (
    l: number,
    rows: number,
    slots: number[],
    sparse: boolean,
  ) => Promise<{ forward: () => Dispatch; dw: () => Dispatch[]; dx: (() => Dispatch) | null }>;
  private slots!: {
    trainConvert: number;
    train: number[];
    loss: number;
    opt: number;
    norm: number;
    evalConvert: number;
    eval: number[];
    evalLoss: number;
    sparse: number[];
    weights: number;
    /** Per image layer: forward, weight gradient, input gradient, geometry, forward for validation. */
    image: { fwd: number; dw: number; dx: number; geo: number; evalFwd: number }[];
  };
  private pending: PendingStep[] = [];
  private iteration = 0;
  private ringAt = 0;
  /** The staging ring: each buffer with the promise of its next mapping (false when that failed). */
  private stage: { buffer: GPUBuffer; ready: Promise<boolean> }[] = [];
  private stageAt = 0;
  /** Where the labels start in a staging buffer (after the batch's x, aligned). */
  private stageLabels = 0;
  private mixedState = { lossScale: 1, skippedSteps: 0, t: 0 };
  private gpuError: string | null = null;
  private disposed = false;
  private readonly onError = (ev: Event) => {
    this.gpuError ??= (ev as GPUUncapturedErrorEvent).error?.message ?? 'unknown GPU error';
  };

  constructor(
    private readonly config: RunConfig,
    private readonly task: EngineTask,
    private readonly gpu: EngineGpu,
    private readonly options: WgslEngineOptions,
  ) {
    this.spec = config.model;
    this.device = gpu.device;
    this.format = formatFor(config.precision, gpu, options.f16Path);
    this.mixed = config.precision === 'fp16-mixed';
    this.loss = lossFor(task.task, task.outputs);
    this.net = netLayout(this.spec, task.dim, lossOutputs(this.loss, task.outputs));
    this.layout = this.net.dense;
    // Validation runs in chunks of EVAL_ROWS rows, fewer where an image network's activations would pass 64 MB.
    const perRow = this.net.nodes.reduce((n, node) => n + node.imageStride, 0);
    this.rows = Math.max(config.batchSize, Math.min(EVAL_ROWS, Math.floor(2 ** 24 / Math.max(1, perRow))));
    this.lossGroups = Math.ceil(this.rows / LOSS_ROWS);
    this.prep = task.prepare ?? null;
    this.xWords = this.prep ? this.prep.stride : task.dim;
    this.distill = config.distill ?? null;
    if (this.distill && this.loss === 'mse')
      throw new ConfigError(
        'distill',
        'distillation needs a classification run (regression has no class distribution to distil)',
      );
    this.softWidth = this.distill ? lossOutputs(this.loss, task.outputs) : 0;
    this.directInput = !this.prep && this.format === 'f32' && task.dim % 4 === 0;
    this.augment = this.checkAugment();
    this.opt = validateOptimizerSpec(config.optimizer);
    this.rule = RULES[this.opt.name];
    // Image nodes first (the input at 0), then the dense layers' widths: the first of those is the last node.
    let at = 0;
    for (const node of this.net.nodes) {
      this.nodeOff.push(at);
      at += this.rows * node.imageStride;
    }
    this.layout.actStrides.forEach((s, i) => {
      if (i === 0 && this.nodeOff.length) return this.actOff.push(this.nodeOff[this.nodeOff.length - 1]);
      this.actOff.push(at);
      at += this.rows * s;
    });
    this.actFloats = at;
    if (this.net.P / 512 > 65535)
      throw new ConfigError(
        'model.hidden',
        `${this.net.parameterCount} parameters are more than the wgsl engine's optimizer dispatch covers (33 M)`,
      );
  }

  /** The run's augmentation, refused where it cannot apply (it needs raw image rows of an image model). */
  private checkAugment(): WgslEngine['augment'] {
    const a = this.config.augment;
    if (!a) return null;
    if (!this.prep)
      throw new ConfigError('augment', 'augmentation runs in the GPU batch preparation: set prepareOn to gpu');
    const spec = this.config.model;
    if (spec.type === 'mlp' || !spec.inputShape)
      throw new ConfigError(
        'augment',
        `crops and flips need image rows and an image model (cnn or dscnn); this run trains an ${spec.type}`,
      );
    const [h, w, c] = spec.inputShape;
    if (this.prep.plan.length !== h * w * c || this.prep.plan.some((f) => f.kind !== 'scale'))
      throw new ConfigError(
        'augment',
        `crops and flips need every feature to be a pixel of the ${h}x${w}x${c} image; these features are not (categorical ` +
          `or other columns among them)`,
      );
    return { shape: [h, w, c], pad: a.pad, flip: a.flip };
  }

  private buffer(size: number, usage: number, label: string): GPUBuffer {
    const b = this.gpu.createBuffer({ size: Math.max(16, roundUp(size, 16)), usage, label });
    this.buffers.push(b);
    return b;
  }

  /** Allocates, uploads the initial state and prepares every dispatch. */
  async init(): Promise<void> {
    const { rows, format, actFloats } = this;
    const P = this.net.P;
    const elem = bytesPerElement(format);
    const lookahead = this.opt.lookahead ?? null;
    const slotCount = this.rule.slots + (lookahead ? 1 : 0);
    this.device.addEventListener('uncapturederror', this.onError);
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    const mb = (n: number) => `${Math.ceil(n / 2 ** 20)} MB`;
    if (elem * actFloats > limit) {
      throw new ConfigError(
        'batchSize',
        `${rows} rows of activations need ${mb(elem * actFloats)} in one GPU buffer; this ` +
          `device allows ${mb(limit)} (use a smaller batch or narrower layers)`,
      );
    }
    if (4 * P * Math.max(1, slotCount) > limit) {
      throw new ConfigError(
        'model.hidden',
        `${this.net.parameterCount} parameters need ${mb(4 * P * Math.max(1, slotCount))} in one GPU buffer; ` +
          `this device allows ${mb(limit)}`,
      );
    }
    this.b = {
      ctl: this.buffer(32, STORAGE | COPY_DST | COPY_SRC, 'ctl'),
      uniforms: this.buffer(
        (64 + 6 * this.net.ops.length + this.layout.layers.length) * UNIFORM_SLOT,
        UNIFORM | COPY_DST,
        'uniforms',
      ),
      params: this.buffer(4 * P, STORAGE | COPY_DST | COPY_SRC, 'params'),
      grads: this.buffer(4 * P, STORAGE | COPY_SRC, 'grads'),
      slots: this.buffer(4 * P * slotCount, STORAGE | COPY_DST | COPY_SRC, 'slots'),
      wcopy: this.buffer(this.mixed ? elem * P : 16, STORAGE | COPY_SRC, 'wcopy'),
      acts: this.buffer(elem * actFloats, STORAGE | COPY_DST | COPY_SRC, 'acts'),
      deltas: this.buffer(elem * actFloats, STORAGE | COPY_SRC, 'deltas'),
      xRaw: this.buffer(
        this.directInput ? 16 : 4 * Math.max(rows * this.task.dim, this.config.batchSize * this.xWords),
        STORAGE | COPY_DST,
        'x',
      ),
      plan: this.buffer(this.prep ? 16 * this.prep.plan.length : 16, STORAGE | COPY_DST, 'prepare plan'),
      // Distillation: a training batch's teacher logits follow its labels (loss.wgsl).
      labels: this.buffer(
        4 * Math.max(rows, this.config.batchSize * (1 + this.softWidth)),
        STORAGE | COPY_DST,
        'labels',
      ),
      lossOut: this.buffer(4 * LOSS_RING * this.lossGroups, STORAGE | COPY_SRC, 'losses'),
      evalOut: this.buffer(4 * 2 * rows, STORAGE | COPY_SRC, 'eval'),
      partials: this.buffer(4 * 64, STORAGE, 'norm partials'),
      staging: this.buffer(
        4 * Math.max(LOSS_RING * this.lossGroups, 2 * rows) + 32 + 16 * LOSS_RING,
        MAP_READ | COPY_DST,
        'staging',
      ),
      resolve: this.buffer(
        this.gpu.timestamps ? UNIFORM_SLOT * LOSS_RING : 16,
        (this.gpu.timestamps ? QUERY_RESOLVE : 0) | COPY_SRC,
        'timestamps',
      ),
      // Pruning: one bit per flat parameter (1 keep), all set until the first mask arrives.
      keep: this.buffer(this.config.pruning ? 4 * Math.ceil(P / 32) : 16, STORAGE | COPY_DST, 'pruning masks'),
    };
    if (this.gpu.timestamps) this.querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * LOSS_RING });
    this.stageLabels = roundUp(4 * this.config.batchSize * this.xWords, 256);
    for (let i = 0; i < STAGE_RING; i++) {
      const buffer = this.buffer(
        this.stageLabels + roundUp(4 * this.config.batchSize * (1 + this.softWidth), 8),
        MAP_WRITE | COPY_SRC,
        'batch staging',
      );
      this.stage.push({ buffer, ready: mapForWrite(buffer) });
    }

    // Initial state: seeded weights (as the tfjs engine's), zero slots, Lookahead's slow copy, the control block.
    const params = netInitialParameters(this.net, this.config.seed);
    const q = this.device.queue;
    q.writeBuffer(this.b.params, 0, params);
    if (this.prep) q.writeBuffer(this.b.plan, 0, planWords(this.prep.plan));
    if (lookahead) q.writeBuffer(this.b.slots, 4 * P * this.rule.slots, params);
    if (this.config.pruning) q.writeBuffer(this.b.keep, 0, new Uint32Array(Math.ceil(P / 32)).fill(0xffffffff));
    const ctl = new ArrayBuffer(32);
    new Float32Array(ctl, 16, 1)[0] = this.mixed ? (this.options.initialScale ?? INITIAL_LOSS_SCALE) : 1;
    q.writeBuffer(this.b.ctl, 0, ctl);
    this.mixedState.lossScale = this.mixed ? (this.options.initialScale ?? INITIAL_LOSS_SCALE) : 1;

    await this.buildPasses();
    // Plan (and tune) the full-batch step now, so the first step does not pay for it.
    this.writeShapes(this.config.batchSize, this.slots.train, this.slots.trainConvert, false);
    this.trainPass = await this.planTrain(this.config.batchSize);
    this.trainRows = this.config.batchSize;
    // Tuning ran products on scratch values: clear what they may have flagged.
    q.writeBuffer(this.b.ctl, 0, ctl);
    // The first float16 copy of the weights; the optimizer keeps it current from then on.
    if (this.mixed) await this.refreshWeightCopy();
    const err = this.gpuError;
    if (err) throw new GpuError(`the wgsl engine could not be set up: ${err}`);
  }

  /** fp16-mixed: writes the float16 copy of the weights the matmuls read from the float32 master weights. */
  private async refreshWeightCopy(): Promise<void> {
    const P = this.net.P;
    this.writeUniform(this.slots.weights, new Uint32Array([1, P, 0, P, 0, P, 0, 0]));
    const k = await this.kernel('convert');
    this.submit([
      {
        kernel: k,
        group: bindGroup(this.device, k, [this.b.ctl, this.uniform(this.slots.weights), this.b.params, this.b.wcopy]),
        ...grid(P / 2),
      },
    ]);
  }

  /**
   * Pruning masks (one per tensor in the parameters' order; null keeps every value): written as
   * one bit per flat parameter, which the optimizer kernel applies after every update; the
   * weights they zero are zeroed now (and their float16 copy in fp16-mixed).
   */
  async setMasks(masks: readonly (Uint8Array | null)[]): Promise<void> {
    this.check();
    if (!this.config.pruning) throw new Error('pruning masks for a run without a pruning setting');
    const sizes = netTensorSizes(this.net);
    if (masks.length !== sizes.length)
      throw new Error(`pruning gave ${masks.length} masks for ${sizes.length} tensors`);
    masks.forEach((m, t) => {
      if (m && m.length !== sizes[t]) throw new Error(`a pruning mask of ${m.length} values for ${sizes[t]} weights`);
    });
    const bits = new Uint32Array(Math.ceil(this.net.P / 32)).fill(0xffffffff);
    const params = await this.readParameters();
    forEachParameter(this.net, (t, j, at) => {
      const m = masks[t];
      if (m && m[j] === 0) {
        bits[at >>> 5] &= ~(1 << (at & 31));
        params[at] = 0;
      }
    });
    const q = this.device.queue;
    q.writeBuffer(this.b.keep, 0, bits);
    q.writeBuffer(this.b.params, 0, params);
    if (this.mixed) await this.refreshWeightCopy();
    await this.updateSparse(masks, sizes.length - 2 * this.layout.layers.length);
  }

  /**
   * The dense layers' sparse structures under new masks: a layer pruned past SPARSE_CANDIDATE
   * gets its CSC / CSR lists uploaded, and runs on the CSR kernels where they are faster than
   * its dense products (timed here, at the step's batch size) or where forced; the step is
   * planned again.
   */
  private async updateSparse(masks: readonly (Uint8Array | null)[], firstDense: number): Promise<void> {
    const mode = this.options.sparseKernels ?? 'auto';
    const layers = this.layout.layers;
    const before = this.sparse.some(Boolean);
    for (let l = 0; l < layers.length; l++) {
      const mask = masks[firstDense + 2 * l];
      let zeros = 0;
      if (mask) for (let j = 0; j < mask.length; j++) zeros += mask[j] === 0 ? 1 : 0;
      const sparsity = mask ? zeros / mask.length : 0;
      const old = this.sparse[l];
      if (old) for (const buf of Object.values(old.buffers)) this.gpu.destroyBuffer(buf);
      this.sparse[l] = null;
      if (!mask || mode === 'never' || (mode === 'auto' && sparsity < SPARSE_CANDIDATE)) continue;
      const structure = sparseStructure(layers[l], mask);
      const upload = (data: Uint32Array, label: string) => {
        const buf = this.gpu.createBuffer({
          size: roundUp(Math.max(16, data.byteLength), 16),
          usage: STORAGE | COPY_DST,
          label,
        });
        this.device.queue.writeBuffer(buf, 0, data);
        return buf;
      };
      this.sparse[l] = {
        structure,
        buffers: {
          colPtr: upload(structure.colPtr, `layer ${l} csc offsets`),
          csc: upload(structure.csc, `layer ${l} csc`),
          rowPtr: upload(structure.rowPtr, `layer ${l} csr offsets`),
          csr: upload(structure.csr, `layer ${l} csr`),
        },
        report: { layer: l, sparsity, sparse: mode === 'always', denseMs: null, sparseMs: null },
      };
      this.writeUniform(this.slots.sparse[l], new Uint32Array([structure.nnz, 0, 0, 0]));
    }
    if (!before && !this.sparse.some(Boolean)) return;
    if (mode === 'auto' && this.sparse.some(Boolean)) await this.timeSparse();
    this.trainPass = await this.planTrain(this.trainRows);
    this.evalRows = -1;
  }

  /**
   * Times each candidate layer's three products (forward, weight and input gradients) dense and
   * sparse at the training batch size, on the last step's activations; keeps the faster. The
   * control block is put back afterwards (a product's overflow check must not skip a step).
   */
  private async timeSparse(): Promise<void> {
    const ctl = await this.readBytes(this.b.ctl, 0, 32);
    const rows = this.trainRows;
    const time = async (d: { forward: () => Dispatch; dw: () => Dispatch[]; dx: (() => Dispatch) | null }) => {
      let ms = 0;
      for (const f of [d.forward, d.dw, d.dx]) if (f) ms += await this.timeDispatch(f(), SPARSE_TIMING_REPS);
      return ms;
    };
    for (const sp of this.sparse) {
      if (!sp) continue;
      const l = sp.report.layer;
      // A warm-up of each side (pipelines compiled, caches filled), then the timed repetitions.
      const dense = await this.layerDispatches(l, rows, this.slots.train, false);
      const sparse = await this.layerDispatches(l, rows, this.slots.train, true);
      await time(dense);
      await time(sparse);
      sp.report.denseMs = await time(dense);
      sp.report.sparseMs = await time(sparse);
      sp.report.sparse = sp.report.sparseMs < sp.report.denseMs;
    }
    this.device.queue.writeBuffer(this.b.ctl, 0, ctl);
  }

  /** The pruned dense layers and whether each runs on the sparse kernels (empty without pruning). */
  sparseLayers(): SparseLayerReport[] {
    return this.sparse.flatMap((s) => (s ? [{ ...s.report }] : []));
  }

  private kernel(name: Kernel['kernel'], constants?: Record<string, number>, entryPoint?: string): Promise<Kernel> {
    return getKernel(this.device, { kernel: name, format: this.format, mixed: this.mixed, constants, entryPoint });
  }

  private matmulKernel(name: Kernel['kernel'], v: MatmulVariant): Promise<Kernel> {
    return getKernel(this.device, {
      kernel: name,
      format: this.format,
      mixed: this.mixed,
      constants: variantConstants(v),
      core: v.core,
      split: !!v.split,
    });
  }

  /**
   * The fastest matmul variant for a product on this device, timed once per shape (and kept for
   * the device): each candidate runs the real dispatch a few times on the run's own buffers, with
   * timestamp queries where the device has them, else wall-clock to onSubmittedWorkDone.
   */
  private async tuned(name: MatmulName, M: number, N: number, K: number): Promise<MatmulVariant> {
    return tuneMatmul(
      this.device,
      `${name}/${this.format}/${M}x${N}x${K}`,
      async (v) => {
        // Any layer's bindings do: timing depends on the shape in the uniform, written here to a spare slot.
        const slot = this.tuneSlot;
        const b = this.b;
        const weights = this.mixed ? b.wcopy : b.params;
        // A product of the same shape over offsets that stay inside the buffers (strides = widths).
        this.writeUniform(slot, new Uint32Array([M, N, K, 0, 0, K, 0, N, 0, N, 0, 0, N, Math.max(0, M - 1), 0, 0]));
        return (await this.product(name, v, M, N, K))(
          name === 'forward'
            ? [b.ctl, this.uniform(slot), b.acts, weights]
            : name === 'backward-dw'
              ? [b.ctl, this.uniform(slot), b.acts, b.deltas, b.grads]
              : [b.ctl, this.uniform(slot), b.deltas, weights, b.acts],
        );
      },
      (d, reps) => this.timeDispatch(d, reps),
      matmulCandidates(this.gpu.cpu, name),
    );
  }

  /** Milliseconds per run of one dispatch (or a product's dispatches, in order), `reps` times in one pass. */
  private async timeDispatch(ds: Dispatch | readonly Dispatch[], reps: number): Promise<number> {
    const t0 = performance.now();
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass(
      this.querySet
        ? { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } }
        : undefined,
    );
    for (let i = 0; i < reps; i++)
      for (const d of Array.isArray(ds) ? ds : [ds]) {
        pass.setPipeline(d.kernel.pipeline);
        pass.setBindGroup(0, d.group);
        pass.dispatchWorkgroups(d.x, d.y, d.z ?? 1);
      }
    pass.end();
    if (this.querySet) {
      enc.resolveQuerySet(this.querySet, 0, 2, this.b.resolve, 0);
      enc.copyBufferToBuffer(this.b.resolve, 0, this.b.staging, 0, 16);
    }
    this.device.queue.submit([enc.finish()]);
    if (!this.querySet) {
      await this.device.queue.onSubmittedWorkDone();
      return (performance.now() - t0) / reps;
    }
    const ts = new BigUint64Array(await this.read(16));
    return Number(ts[1] - ts[0]) / 1e6 / reps;
  }

  private uniform(slot: number): { buffer: GPUBuffer; offset: number; size: number } {
    return { buffer: this.b.uniforms, offset: slot * UNIFORM_SLOT, size: UNIFORM_SLOT };
  }

  private writeUniform(slot: number, data: Uint32Array | Float32Array | ArrayBuffer): void {
    this.device.queue.writeBuffer(this.b.uniforms, slot * UNIFORM_SLOT, data);
  }

  /** Pipelines and bind groups of the training step and of the validation pass. */
  private async buildPasses(): Promise<void> {
    const { layout, b } = this;
    const L = layout.layers.length;
    const next = () => this.uniformSlots++;
    this.slots = {
      loss: next(),
      opt: next(),
      trainConvert: next(),
      norm: next(),
      weights: next(),
      train: Array.from({ length: 3 * L }, next),
      evalConvert: next(),
      eval: Array.from({ length: L }, next),
      evalLoss: next(),
      sparse: Array.from({ length: L }, next),
      image: this.net.ops.map(() => ({ fwd: next(), dw: next(), dx: next(), geo: next(), evalFwd: next() })),
    };
    this.tuneSlot = next();
    const o = this.opt;
    const weights = this.mixed ? b.wcopy : b.params;
    const [convert, prepare, lossTrain, lossEval, norm, scaler, optimizer] = await Promise.all([
      this.kernel('convert'),
      this.kernel('prepare'),
      this.kernel('loss', undefined, 'train'),
      this.kernel('loss', undefined, 'evaluate'),
      this.kernel('norm', { PRUNE: this.config.pruning ? 1 : 0 }),
      this.kernel('scaler', { MIXED: this.mixed ? 1 : 0, INTERVAL: this.options.growthInterval ?? GROWTH_INTERVAL }),
      this.kernel('optimizer', {
        RULE: this.rule.code,
        CLIP: o.clipNorm != null ? 1 : 0,
        LOOKAHEAD: o.lookahead ? 1 : 0,
        MIXED: this.mixed ? 1 : 0,
        SLOW: this.rule.slots,
        PRUNE: this.config.pruning ? 1 : 0,
      }),
    ]);
    // The variant of a dense product: forced (a split one splits the weight gradients only), or timed.
    const variant = async (name: MatmulName, M: number, N: number, K: number): Promise<MatmulVariant> => {
      const forced = this.options.matmul;
      if (forced) return name === 'backward-dw' ? forced : { core: forced.core, tile: forced.tile };
      return this.tuned(name, M, N, K);
    };
    const mm = async (name: MatmulName, M: number, N: number, K: number) => {
      const v = await variant(name, M, N, K);
      return { k: await this.matmulKernel(name, v), tile: variantRows(v), cols: variantColumns(v) };
    };
    // One dense layer's products: tiled matmuls, or (pruned, `sparse`) the CSR kernels reading the same uniforms.
    const [spForward, spDx, spDw] = await Promise.all([
      this.kernel('sparse-forward'),
      this.kernel('sparse-dx'),
      this.kernel('sparse-dw'),
    ]);
    this.layerDispatches = async (l, rows, slots, sparse) => {
      const { K, N } = layout.layers[l];
      const hasDx = l > 0 || this.net.nodes.length > 0;
      const [fSlot, dwSlot, dxSlot] = [slots[l], slots[L + l], slots[2 * L + l]];
      const sp = sparse ? this.sparse[l] : null;
      if (sp) {
        const { colPtr, csc, rowPtr, csr } = sp.buffers;
        const s = layout.actStrides;
        return {
          forward: () => ({
            kernel: spForward,
            group: bindGroup(this.device, spForward, [b.ctl, this.uniform(fSlot), b.acts, weights, colPtr, csc]),
            ...grid((Math.ceil(rows / 4) * s[l + 1]) / 4),
          }),
          dw: () => [
            {
              kernel: spDw,
              group: bindGroup(this.device, spDw, [
                b.ctl,
                this.uniform(dwSlot),
                b.acts,
                b.deltas,
                b.grads,
                csc,
                this.uniform(this.slots.sparse[l]),
              ]),
              ...grid(sp.structure.nnz + N),
            },
          ],
          dx: hasDx
            ? () => ({
                kernel: spDx,
                group: bindGroup(this.device, spDx, [
                  b.ctl,
                  this.uniform(dxSlot),
                  b.deltas,
                  weights,
                  b.acts,
                  rowPtr,
                  csr,
                ]),
                ...grid((Math.ceil(rows / 4) * s[l]) / 4),
              })
            : null,
        };
      }
      const f = await mm('forward', rows, N, K);
      // The weight gradient: one dispatch, or two when split along K (a long batch).
      const dw = await this.product('backward-dw', await variant('backward-dw', K + 1, N, rows), K + 1, N, rows);
      const dx = hasDx ? await mm('backward-dx', rows, K, N) : null;
      return {
        forward: () => ({
          kernel: f.k,
          group: bindGroup(this.device, f.k, [b.ctl, this.uniform(fSlot), b.acts, weights]),
          x: Math.ceil(N / f.cols),
          y: Math.ceil(rows / f.tile),
        }),
        dw: () => dw([b.ctl, this.uniform(dwSlot), b.acts, b.deltas, b.grads]),
        dx: dx
          ? () => ({
              kernel: dx.k,
              group: bindGroup(this.device, dx.k, [b.ctl, this.uniform(dxSlot), b.deltas, weights, b.acts]),
              x: Math.ceil(K / dx.cols),
              y: Math.ceil(rows / dx.tile),
            })
          : null,
      };
    };
    const plan = async (rows: number, slots: number[], forwardOnly: boolean) => {
      const layers = [];
      for (let l = 0; l < L; l++)
        layers.push(await this.layerDispatches(l, rows, slots, this.sparse[l]?.report.sparse ?? false));
      const out: (() => Dispatch | Dispatch[])[] = layers.map((d) => d.forward);
      if (forwardOnly) return out;
      const bwd: (() => Dispatch | Dispatch[])[] = [];
      for (let l = L - 1; l >= 0; l--) {
        bwd.push(layers[l].dw);
        const dx = layers[l].dx;
        if (dx) bwd.push(dx);
      }
      return [...out, ...bwd];
    };
    const pairs = (rows: number) => (rows * this.net.inStride) / 2;
    const convertStep = (slot: number, rows: number): Dispatch => ({
      kernel: convert,
      group: bindGroup(this.device, convert, [b.ctl, this.uniform(slot), b.xRaw, b.acts]),
      ...grid(pairs(rows)),
    });

    // The loss and its gradient (training: per-workgroup sums into the ring; validation: per-row losses and predictions).
    const lossStep = (k: Kernel, slot: number, out: GPUBuffer, rows: number): Dispatch => ({
      kernel: k,
      group: bindGroup(this.device, k, [b.ctl, this.uniform(slot), b.acts, b.labels, b.deltas, out]),
      x: Math.ceil(rows / LOSS_ROWS),
      y: 1,
    });

    // Training step: the dispatch shapes depend on the batch rows (a short last batch re-plans).
    const trainPlan = async (rows: number): Promise<Dispatch[]> => {
      const mms = (await plan(rows, this.slots.train, false)).map((f) => f());
      const L0 = mms.slice(0, L).flat();
      const back = mms.slice(L).flat();
      const image = await this.imagePlan(rows, false);
      const steps: Dispatch[] = [];
      if (this.prep)
        steps.push({
          kernel: prepare,
          group: bindGroup(this.device, prepare, [
            b.ctl,
            this.uniform(this.slots.trainConvert),
            b.xRaw,
            b.plan,
            b.acts,
          ]),
          ...grid(pairs(rows)),
        });
      else if (!this.directInput) steps.push(convertStep(this.slots.trainConvert, rows));
      steps.push(...image.forward, ...L0, lossStep(lossTrain, this.slots.loss, b.lossOut, rows));
      steps.push(...back, ...image.backward);
      if (o.clipNorm != null)
        steps.push({
          kernel: norm,
          group: bindGroup(this.device, norm, [b.ctl, this.uniform(this.slots.norm), b.grads, b.partials, b.keep]),
          x: 64,
          y: 1,
        });
      steps.push({
        kernel: optimizer,
        group: bindGroup(this.device, optimizer, [
          b.ctl,
          this.uniform(this.slots.opt),
          b.params,
          b.grads,
          b.slots,
          b.partials,
          b.wcopy,
          b.keep,
        ]),
        x: Math.ceil(this.net.P / 512),
        y: 1,
      });
      steps.push({ kernel: scaler, group: bindGroup(this.device, scaler, [b.ctl]), x: 1, y: 1 });
      return steps;
    };
    const evalPlan = async (rows: number): Promise<Dispatch[]> => {
      const fwd = (await plan(rows, this.slots.eval, true)).flatMap((f) => f());
      const image = await this.imagePlan(rows, true);
      const steps: Dispatch[] = [];
      if (!this.directInput) steps.push(convertStep(this.slots.evalConvert, rows));
      steps.push(...image.forward, ...fwd, lossStep(lossEval, this.slots.evalLoss, b.evalOut, rows));
      return steps;
    };
    this.planTrain = trainPlan;
    this.planEval = evalPlan;
    this.writeUniform(this.slots.norm, new Uint32Array([this.net.P, 0, 0, 0]));
  }

  /**
   * The image layers' dispatches for `rows` rows: forward in order; for training, the gradients
   * in reverse order (weights, then the input but for the first layer). Convolutions are
   * implicit GEMMs on the tiled matmul cores, timed per shape as the dense products are.
   */
  private async imagePlan(rows: number, forwardOnly: boolean): Promise<{ forward: Dispatch[]; backward: Dispatch[] }> {
    const { b, net } = this;
    const weights = this.mixed ? b.wcopy : b.params;
    const forward: Dispatch[] = [];
    const backward: Dispatch[] = [];
    if (!net.ops.length) return { forward, backward };
    const entry = (kernel: 'pool' | 'depthwise', name: string) => this.kernel(kernel, undefined, name);
    const [maxFwd, maxBwd, avgFwd, avgBwd, dwFwd, dwDx, dwDw] = await Promise.all([
      entry('pool', 'forward'),
      entry('pool', 'backward'),
      entry('pool', 'average'),
      entry('pool', 'average_backward'),
      entry('depthwise', 'forward'),
      entry('depthwise', 'backward_dx'),
      entry('depthwise', 'backward_dw'),
    ]);
    const u = (slot: number) => this.uniform(slot);
    const image = (k: Kernel, slot: number, threads: number): Dispatch => ({
      kernel: k,
      group: bindGroup(this.device, k, [
        b.ctl,
        u(slot),
        b.acts,
        b.deltas,
        ...(k.kernel === 'depthwise' ? [weights, b.grads] : []),
      ]),
      ...grid(threads),
    });
    for (const [i, op] of net.ops.entries()) {
      const s = this.slots.image[i];
      const slot = forwardOnly ? s.evalFwd : s.fwd;
      const [from, to] = [net.nodes[op.from], net.nodes[op.to]];
      const outThreads = (rows * to.H * to.W * to.pixelStride) / 2;
      if (op.kind === 'conv') {
        const shape = `${from.H}x${from.W}x${from.C}>${to.C}/${op.ks}s${op.stride}g${op.groups}`;
        forward.push(
          ...(await this.convDispatch('conv-forward', rows * to.H * to.W, to.C, op.params.rows, shape, op.groups, [
            b.ctl,
            u(slot),
            b.acts,
            weights,
            u(s.geo),
          ])),
        );
      } else if (op.kind === 'depthwise') forward.push(image(dwFwd, slot, outThreads));
      else if (op.kind === 'maxpool') forward.push(image(maxFwd, slot, outThreads));
      else forward.push(image(avgFwd, slot, (rows * to.pixelStride) / 2));
    }
    if (forwardOnly) return { forward, backward };
    for (let i = net.ops.length - 1; i >= 0; i--) {
      const op = net.ops[i];
      const s = this.slots.image[i];
      const [from, to] = [net.nodes[op.from], net.nodes[op.to]];
      const inThreads = (rows * from.H * from.W * from.pixelStride) / 2;
      if (op.kind === 'conv') {
        const shape = `${from.H}x${from.W}x${from.C}>${to.C}/${op.ks}s${op.stride}g${op.groups}`;
        const outRows = rows * to.H * to.W;
        const dxK = (op.ks * op.ks * to.C) / op.groups;
        backward.push(
          ...(await this.convDispatch('conv-dw', op.params.rows + 1, to.C, outRows, shape, op.groups, [
            b.ctl,
            u(s.dw),
            b.acts,
            b.deltas,
            b.grads,
            u(s.geo),
          ])),
        );
        if (op.from > 0)
          backward.push(
            ...(await this.convDispatch('conv-dx', rows * from.H * from.W, from.C, dxK, shape, op.groups, [
              b.ctl,
              u(s.dx),
              b.deltas,
              weights,
              b.acts,
              u(s.geo),
            ])),
          );
      } else if (op.kind === 'depthwise') {
        backward.push({ ...image(dwDw, s.dw, 0), x: to.pixelStride / 2, y: op.ks * op.ks + 1 });
        if (op.from > 0) backward.push(image(dwDx, s.dx, inThreads));
      } else backward.push(image(op.kind === 'maxpool' ? maxBwd : avgBwd, s.fwd, inThreads));
    }
    return { forward, backward };
  }

  /**
   * A convolution's dispatch on the core timed fastest for its shape (or the one forced); a
   * grouped convolution on the direct and split-K cores, the only ones that take groups. A
   * weight gradient split along K is two dispatches: the slices' partial sums, then their sum.
   */
  private async convDispatch(
    name: 'conv-forward' | 'conv-dx' | 'conv-dw',
    M: number,
    N: number,
    K: number,
    shape: string,
    groups: number,
    buffers: Parameters<typeof bindGroup>[2],
  ): Promise<Dispatch[]> {
    const make = async (v: MatmulVariant) => (await this.product(name, v, M, N, K))(buffers);
    if (groups > 1) return make(convVariantFor(name, DIRECT));
    const forced = this.options.matmul;
    if (forced) return make(convVariantFor(name, forced.core === 'vec4' || forced.core === 'wide' ? DIRECT : forced));
    // A CPU implementation (SwiftShader, lavapipe) runs workgroup barriers slowly (its threads
    // are emulated): direct products there; the weight gradients on split-K, or on the tiled
    // core where its tiles are well filled.
    if (this.gpu.cpu) return make(name === 'conv-dw' ? cpuWeightGradientVariant(M, N) : DIRECT);
    const candidates = CONV_VARIANTS.filter((v) => convVariantFor(name, v) === v);
    const v = await tuneMatmul(
      this.device,
      `${name}/${this.format}/${M}x${N}x${K}/${shape}`,
      make,
      (d, reps) => this.timeDispatch(d, reps),
      candidates,
    );
    return make(v);
  }

  /**
   * An M x N x K product on variant `variant`, its pipelines compiled: given its buffers, its
   * dispatches. One, or for a weight gradient split along K (kSlices > 1) two: the slices'
   * partial sums (z workgroups a slice, into the slice sums buffer bound where the gradients
   * are), then their sum into the gradients.
   */
  private async product(
    name: Kernel['kernel'],
    variant: MatmulVariant,
    M: number,
    N: number,
    K: number,
  ): Promise<(buffers: Parameters<typeof bindGroup>[2]) => Dispatch[]> {
    const slices = kSlices(variant, M, N, K);
    // Too short a K to split: the same core in one pass.
    const v: MatmulVariant = slices > 1 ? variant : { core: variant.core, tile: variant.tile };
    const k = await this.matmulKernel(name, v);
    const x = Math.ceil(N / variantColumns(v));
    const y = Math.ceil(M / variantRows(v));
    if (slices === 1) return (buffers) => [{ kernel: k, group: bindGroup(this.device, k, buffers), x, y }];
    const reduce = await this.kernel('reduce-splits', { SPLITS: slices });
    return (buffers) => {
      const sums = this.sliceSumsBuffer(4 * slices * M * N);
      return [
        { kernel: k, group: bindGroup(this.device, k, buffers.with(GRADS_BINDING, sums)), x, y, z: slices },
        {
          kernel: reduce,
          group: bindGroup(this.device, reduce, [buffers[0], buffers[1], sums, buffers[GRADS_BINDING]]),
          ...grid(M * N),
        },
      ];
    };
  }

  /**
   * A buffer of at least `bytes` for split products' partial sums. One buffer serves every
   * split dispatch (they run one after another); a larger need replaces it, and the dispatches
   * planned before keep the smaller one they were bound to (both freed with the engine).
   */
  private sliceSumsBuffer(bytes: number): GPUBuffer {
    if (!this.sliceSums || this.sliceSums.size < bytes) this.sliceSums = this.buffer(bytes, STORAGE, 'slice sums');
    return this.sliceSums;
  }

  /** The image layers' uniforms for `rows` rows (see net-layout.ts for the layout they address). */
  private writeImageShapes(rows: number, forwardOnly: boolean): void {
    const { net } = this;
    const act = ACT[this.spec.activation];
    const actOf = (node: number) => (net.nodes[node].activated ? act : 0);
    const u32 = (values: number[]) => new Uint32Array(values.concat(new Array(16 - values.length).fill(0)));
    net.ops.forEach((op, i) => {
      const s = this.slots.image[i];
      const slot = forwardOnly ? s.evalFwd : s.fwd;
      const [from, to] = [net.nodes[op.from], net.nodes[op.to]];
      const [fo, to_] = [this.nodeOff[op.from], this.nodeOff[op.to]];
      if (op.kind === 'conv') {
        const p = op.params;
        if (op.padH !== op.padW) throw new Error('the convolution kernels pad rows and columns alike');
        this.writeUniform(
          s.geo,
          u32([from.H, from.W, from.C, to.C, to.H, to.W, op.ks, op.stride, op.padH, from.imageStride, op.groups, 0]),
        );
        const outRows = rows * to.H * to.W;
        this.writeUniform(
          slot,
          u32([outRows, to.C, p.rows, act, fo, from.pixelStride, p.wOff, p.stride, to_, to.pixelStride, p.bOff]),
        );
        if (forwardOnly) return;
        this.writeUniform(
          s.dw,
          u32([
            p.rows + 1,
            to.C,
            outRows,
            0,
            fo,
            from.pixelStride,
            to_,
            to.pixelStride,
            p.wOff,
            p.stride,
            0,
            0,
            0,
            p.rows,
          ]),
        );
        this.writeUniform(
          s.dx,
          u32([
            rows * from.H * from.W,
            from.C,
            (op.ks * op.ks * to.C) / op.groups,
            actOf(op.from),
            to_,
            to.pixelStride,
            p.wOff,
            p.stride,
            fo,
            from.pixelStride,
            0,
            fo,
            from.pixelStride,
          ]),
        );
      } else if (op.kind === 'depthwise') {
        const p = op.params;
        const dims = (a: number) =>
          new Uint32Array([
            rows,
            from.H,
            from.W,
            from.C,
            to.H,
            to.W,
            op.ks,
            op.stride,
            op.padH,
            fo,
            from.pixelStride,
            to_,
            to.pixelStride,
            p.wOff,
            p.stride,
            p.bOff,
            a,
            p.wOff,
            p.stride,
            op.padW,
          ]);
        this.writeUniform(slot, dims(act));
        if (forwardOnly) return;
        this.writeUniform(s.dw, dims(0));
        this.writeUniform(s.dx, dims(actOf(op.from)));
      } else {
        // Max-pool: the derivative was taken at the pooled value, which is the routed input's.
        const a = op.kind === 'avgpool' ? actOf(op.from) : 0;
        this.writeUniform(slot, u32([rows, from.H, from.W, from.C, fo, from.pixelStride, to_, to.pixelStride, a]));
      }
    });
  }

  private planTrain!: (rows: number) => Promise<Dispatch[]>;
  private tuneSlot = 0;
  private planEval!: (rows: number) => Promise<Dispatch[]>;

  /** Uniforms of the matmuls (and the input conversion) for `rows` rows. */
  private writeShapes(rows: number, slots: number[], convertSlot: number, forwardOnly: boolean): void {
    const { layout } = this;
    const L = layout.layers.length;
    const s = layout.actStrides;
    const o = this.actOff;
    const act = ACT[this.spec.activation];
    layout.layers.forEach((ly, l) => {
      // forward: acts[l] x W_l -> acts[l + 1]
      this.writeUniform(
        slots[l],
        new Uint32Array([
          rows,
          ly.N,
          ly.K,
          l < L - 1 ? act : 0,
          o[l],
          s[l],
          ly.wOff,
          ly.stride,
          o[l + 1],
          s[l + 1],
          ly.bOff,
          0,
          0,
          0,
          0,
          0,
        ]),
      );
      if (forwardOnly) return;
      // weight + bias gradients: [acts[l] | 1]^T x deltas[l + 1] -> grads block of layer l
      this.writeUniform(
        slots[L + l],
        new Uint32Array([
          ly.K + 1,
          ly.N,
          rows,
          0,
          o[l],
          s[l],
          o[l + 1],
          s[l + 1],
          ly.wOff,
          ly.stride,
          0,
          0,
          0,
          ly.K,
          0,
          0,
        ]),
      );
      // input gradients: deltas[l + 1] x W_l^T . act'(acts[l]) -> deltas[l] (an image network's
      // last node too: act' of a max-pool's output, none after an average)
      const last = this.net.nodes[this.net.nodes.length - 1];
      if (l > 0 || last)
        this.writeUniform(
          slots[2 * L + l],
          new Uint32Array([
            rows,
            ly.K,
            ly.N,
            l > 0 || last.activated ? act : 0,
            o[l + 1],
            s[l + 1],
            ly.wOff,
            ly.stride,
            o[l],
            s[l],
            0,
            o[l],
            s[l],
            0,
            0,
            0,
          ]),
        );
    });
    // A training batch of raw rows gets the prepare kernel's uniform each step (prepareUniform).
    if (!this.directInput && !(this.prep && !forwardOnly))
      this.writeUniform(
        convertSlot,
        new Uint32Array([rows, this.task.dim, 0, this.task.dim, 0, this.net.inStride, 0, 0]),
      );
    this.writeImageShapes(rows, forwardOnly);
  }

  /** The loss kernel's uniform; `train` (not validation) takes the distillation loss where the run has one. */
  private lossUniform(slot: number, rows: number, ringSlot: number, train: boolean): void {
    const L = this.layout.layers.length;
    const C = this.layout.layers[L - 1].N;
    const distill = train && this.distill && this.loss !== 'mse' ? this.distill : null;
    const u = new Uint32Array([
      rows,
      C,
      distill ? DISTILL_KIND[this.loss as 'softmax-ce' | 'binary-ce'] : LOSS_KIND[this.loss],
      ringSlot * this.lossGroups,
      this.actOff[L],
      this.layout.actStrides[L],
      0,
      0,
    ]);
    if (distill) new Float32Array(u.buffer, 24, 2).set([distill.temperature, distill.alpha]);
    this.writeUniform(slot, u);
  }

  /** The prepare kernel's uniform for this step's `rows` raw rows (its augmentation draws per step). */
  private prepareUniform(rows: number): void {
    const prep = this.prep!;
    const aug = this.augment ? { ...this.augment, seed: this.config.seed, step: this.iteration } : null;
    this.writeUniform(
      this.slots.trainConvert,
      prepareDims(rows, prep.plan.length, prep, { off: 0, stride: this.net.inStride }, aug),
    );
  }

  private optimizerUniform(): void {
    const o = this.opt;
    const lr = learningRateAt(o.learningRate, o.schedule, this.iteration);
    const f = new Float32Array(12);
    const u = new Uint32Array(f.buffer);
    f[0] = lr;
    f[1] = o.beta1 ?? 0;
    f[2] = o.name === 'rmsprop' ? (o.rho ?? 0.9) : (o.beta2 ?? 0);
    f[3] = o.epsilon ?? 0;
    f[4] = o.weightDecay ?? 0;
    f[5] = o.momentum ?? 0;
    f[6] = o.clipNorm ?? 0;
    f[7] = o.lookahead?.alpha ?? 0;
    u[8] = this.net.P;
    u[9] = o.lookahead?.k ?? 1;
    this.writeUniform(this.slots.opt, f);
  }

  private check(): void {
    if (this.disposed) throw new Error('the wgsl engine was disposed');
    if (this.gpu.lost) throw new GpuError(this.gpu.lost);
    if (this.gpuError) throw new GpuError(`the wgsl engine hit a GPU error: ${this.gpuError}`);
  }

  private upload(batch: { x: Float32Array; y: Float32Array }, rows: number): void {
    const q = this.device.queue;
    const n = rows * this.task.dim;
    if (this.directInput) q.writeBuffer(this.b.acts, 0, batch.x.buffer, batch.x.byteOffset, 4 * n);
    else q.writeBuffer(this.b.xRaw, 0, batch.x.buffer, batch.x.byteOffset, 4 * n);
    q.writeBuffer(this.b.labels, 0, batch.y.buffer, batch.y.byteOffset, 4 * rows);
  }

  /**
   * Writes a training batch into the next staging buffer (waiting for its mapping: the GPU is done
   * with it) and unmaps it; the step's encoder copies it into place (see STAGE_RING).
   */
  private async stageBatch(batch: Batch, rows: number): Promise<(typeof this.stage)[number]> {
    const s = this.stage[this.stageAt];
    this.stageAt = (this.stageAt + 1) % STAGE_RING;
    const n = rows * this.xWords;
    const soft = rows * this.softWidth;
    if (soft && !(batch.soft && batch.soft.length >= soft))
      throw new Error('a distillation run got a batch without its teacher logits');
    if (await s.ready) {
      try {
        new Float32Array(s.buffer.getMappedRange(0, roundUp(4 * n, 8)), 0, n).set(batch.x.subarray(0, n));
        const labels = new Float32Array(s.buffer.getMappedRange(this.stageLabels, roundUp(4 * (rows + soft), 8)));
        labels.set(batch.y.subarray(0, rows));
        if (soft) labels.set(batch.soft!.subarray(0, soft), rows);
        s.buffer.unmap();
        return s;
      } catch {
        // The mapped range is gone: the device went away (below).
      }
    }
    // A device being lost fails the mapping (or the mapped range) first and says so a moment
    // later: wait for it, so the run reports the loss rather than the staging (as read() does).
    await Promise.race([this.gpu.device.lost, new Promise((r) => setTimeout(r, 2000))]);
    this.check();
    throw new GpuError('a batch could not be staged for the GPU (its staging buffer could not be mapped)');
  }

  private submit(
    dispatches: Dispatch[],
    timestampSlot: number | null = null,
    staged: { buffer: GPUBuffer } | null = null,
  ): void {
    const enc = this.device.createCommandEncoder();
    if (staged) {
      const n = this.trainRows * this.xWords;
      enc.copyBufferToBuffer(staged.buffer, 0, this.directInput ? this.b.acts : this.b.xRaw, 0, 4 * n);
      enc.copyBufferToBuffer(
        staged.buffer,
        this.stageLabels,
        this.b.labels,
        0,
        4 * this.trainRows * (1 + this.softWidth),
      );
    }
    const pass = enc.beginComputePass(
      timestampSlot !== null && this.querySet
        ? {
            timestampWrites: {
              querySet: this.querySet,
              beginningOfPassWriteIndex: 2 * timestampSlot,
              endOfPassWriteIndex: 2 * timestampSlot + 1,
            },
          }
        : undefined,
    );
    for (const d of dispatches) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(d.x, d.y, d.z ?? 1);
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  async step(batch: Batch, timed: boolean): Promise<void> {
    this.check();
    if (this.pending.length >= LOSS_RING)
      throw new Error(`the wgsl engine holds ${LOSS_RING} steps whose losses were not read: call drain()`);
    const rows = batch.size;
    if (rows < 1 || rows > this.config.batchSize)
      throw new RangeError(`a batch of ${rows} rows does not fit the run's batch size ${this.config.batchSize}`);
    if (rows !== this.trainRows) {
      this.writeShapes(rows, this.slots.train, this.slots.trainConvert, false);
      this.trainPass = await this.planTrain(rows);
      this.trainRows = rows;
    }
    const staged = await this.stageBatch(batch, rows);
    if (this.prep) this.prepareUniform(rows);
    const slot = this.ringAt;
    this.ringAt = (this.ringAt + 1) % LOSS_RING;
    this.lossUniform(this.slots.loss, rows, slot, true);
    this.optimizerUniform();
    const time = timed && this.querySet !== null;
    this.submit(this.trainPass, time ? slot : null, staged);
    staged.ready = mapForWrite(staged.buffer);
    this.pending.push({ slot, rows, timed: time });
    this.iteration++;
  }

  async drain(): Promise<{ losses: Float32Array; gpuMs: (number | null)[] }> {
    this.check();
    const group = this.pending;
    this.pending = [];
    const losses = new Float32Array(group.length);
    if (group.length === 0) return { losses, gpuMs: [] };
    const G = this.lossGroups;
    const enc = this.device.createCommandEncoder();
    const lossBytes = 4 * G * LOSS_RING;
    const tsAt = lossBytes + 32;
    enc.copyBufferToBuffer(this.b.lossOut, 0, this.b.staging, 0, lossBytes);
    enc.copyBufferToBuffer(this.b.ctl, 0, this.b.staging, lossBytes, 32);
    group.forEach((p, i) => {
      if (!p.timed || !this.querySet) return;
      enc.resolveQuerySet(this.querySet, 2 * p.slot, 2, this.b.resolve, UNIFORM_SLOT * p.slot);
      enc.copyBufferToBuffer(this.b.resolve, UNIFORM_SLOT * p.slot, this.b.staging, tsAt + 16 * i, 16);
    });
    this.device.queue.submit([enc.finish()]);
    const data = await this.read(tsAt + 16 * group.length);
    const f = new Float32Array(data, 0, G * LOSS_RING);
    group.forEach((p, i) => {
      let s = 0;
      for (let g = 0; g < Math.ceil(p.rows / LOSS_ROWS); g++) s += f[p.slot * G + g];
      losses[i] = s / p.rows;
    });
    const ctl = new DataView(data, lossBytes, 32);
    this.mixedState = {
      t: ctl.getUint32(8, true),
      skippedSteps: ctl.getUint32(12, true),
      lossScale: ctl.getFloat32(16, true),
    };
    const ts = new BigUint64Array(data, tsAt, 2 * group.length);
    const gpuMs = group.map((p, i) => (p.timed ? Number(ts[2 * i + 1] - ts[2 * i]) / 1e6 : null));
    return { losses, gpuMs };
  }

  /** Maps the staging buffer and copies out its first `bytes` bytes. */
  private async read(bytes: number): Promise<ArrayBuffer> {
    try {
      await this.b.staging.mapAsync(READ, 0, roundUp(bytes, 8));
    } catch {
      // A device being lost fails the mapping first and says so a moment later: wait for it,
      // so the run reports the loss rather than the failed mapping.
      await Promise.race([this.gpu.device.lost, new Promise((r) => setTimeout(r, 2000))]);
      this.check();
      throw new GpuError('reading results from the GPU failed (the read-back buffer could not be mapped)');
    }
    const out = this.b.staging.getMappedRange(0, roundUp(bytes, 8)).slice(0);
    this.b.staging.unmap();
    this.check();
    return out;
  }

  /** Runs the forward pass over the rows in chunks; `onChunk` gets each chunk's row losses and predictions. */
  private async evaluate(
    val: ValidationRows,
    onChunk: (at: number, n: number, out: Float32Array) => boolean | void,
  ): Promise<void> {
    this.check();
    if (this.pending.length) throw new Error('drain() before validating: steps are pending');
    for (let at = 0; at < val.rows; at += this.rows) {
      const n = Math.min(this.rows, val.rows - at);
      if (n !== this.evalRows) {
        this.writeShapes(n, this.slots.eval, this.slots.evalConvert, true);
        this.lossUniform(this.slots.evalLoss, n, 0, false);
        this.evalPass = await this.planEval(n);
        this.evalRows = n;
      }
      const d = this.task.dim;
      this.upload({ x: val.x.subarray(at * d, (at + n) * d), y: val.y.subarray(at, at + n) }, n);
      this.submit(this.evalPass);
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(this.b.evalOut, 0, this.b.staging, 0, 8 * n);
      this.device.queue.submit([enc.finish()]);
      const out = new Float32Array(await this.read(8 * n));
      if (onChunk(at, n, out) === false) return;
    }
  }

  async validate(val: ValidationRows): Promise<{ loss: number; accuracy: number | null }> {
    let lossSum = 0;
    let correct = 0;
    const classification = this.task.task === 'classification';
    await this.evaluate(val, (at, n, out) => {
      for (let i = 0; i < n; i++) {
        lossSum += out[2 * i];
        if (classification && out[2 * i + 1] === val.y[at + i]) correct++;
      }
    });
    return { loss: lossSum / val.rows, accuracy: classification ? correct / val.rows : null };
  }

  async misclassified(val: ValidationRows, limit: number): Promise<{ index: number; predicted: number }[]> {
    const wrong: { index: number; predicted: number }[] = [];
    if (this.task.task !== 'classification') return wrong;
    await this.evaluate(val, (at, n, out) => {
      for (let i = 0; i < n && wrong.length < limit; i++)
        if (out[2 * i + 1] !== val.y[at + i]) wrong.push({ index: at + i, predicted: out[2 * i + 1] });
      return wrong.length < limit;
    });
    return wrong;
  }

  async parameters(): Promise<Float32Array[]> {
    return netParameters(this.net, await this.readParameters());
  }

  /** The float32 master parameters in the flat layout (for tests and export). */
  async readParameters(): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(this.b.params, 0, 4 * this.net.P));
  }

  /**
   * The layer outputs (`which`: 'acts', after activation; index 0 is the input) or the deltas
   * (gradients of the loss, times the loss scale, with respect to the pre-activation outputs)
   * of width index `i` for the first `rows` rows of the last pass, as float32 [rows, width].
   */
  async readActivations(which: 'acts' | 'deltas', i: number, rows: number): Promise<Float32Array> {
    const stride = this.layout.actStrides[i];
    const width = this.layout.widths[i];
    const elem = bytesPerElement(this.format);
    const raw = await this.readBytes(this.b[which], elem * this.actOff[i], elem * rows * stride);
    const all = this.format === 'f32' ? new Float32Array(raw) : decodeHalves(new Uint16Array(raw));
    const out = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) out.set(all.subarray(r * stride, r * stride + width), r * width);
    return out;
  }

  /** Copies `bytes` bytes of a GPU buffer from `offset` back (through a buffer of its own). */
  async readBytes(src: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    const size = roundUp(bytes, 4);
    const tmp = this.gpu.createBuffer({ size: roundUp(size, 16), usage: MAP_READ | COPY_DST });
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(src, offset, tmp, 0, size);
      this.device.queue.submit([enc.finish()]);
      await tmp.mapAsync(READ);
      return tmp.getMappedRange().slice(0, bytes);
    } finally {
      this.gpu.destroyBuffer(tmp);
    }
  }

  /** The engine's buffers by name (tests read gradients and slots). */
  get gpuBuffers(): Readonly<Record<string, GPUBuffer>> {
    return this.b;
  }

  memory() {
    const live = this.gpu.counters.created - this.gpu.counters.destroyed;
    return { tensors: live, bytes: this.gpu.counters.bytes, gpuBytes: this.gpu.counters.bytes };
  }

  async mixedPrecision(): Promise<{ lossScale: number; skippedSteps: number } | null> {
    if (!this.mixed) return null;
    return { lossScale: this.mixedState.lossScale, skippedSteps: this.mixedState.skippedSteps };
  }

  /** Updates applied so far (skipped fp16 steps not counted), as of the last drain. */
  get appliedSteps(): number {
    return this.mixedState.t;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.device.removeEventListener('uncapturederror', this.onError);
    for (const b of this.buffers) this.gpu.destroyBuffer(b);
    this.buffers.length = 0;
    // The reports stay readable (sparseLayers) after the run.
    for (const sp of this.sparse) if (sp) for (const buf of Object.values(sp.buffers)) this.gpu.destroyBuffer(buf);
    this.querySet?.destroy();
    this.querySet = null;
  }
}

/** Maps a staging buffer for writing: true once mapped, false if the mapping failed (a lost device, a disposed engine). */
function mapForWrite(buffer: GPUBuffer): Promise<boolean> {
  return buffer.mapAsync(WRITE).then(
    () => true,
    () => false,
  );
}

/** Workgroups of 256 threads for `threads` threads, spread over y past 65535. */
function grid(threads: number): { x: number; y: number } {
  const groups = Math.max(1, Math.ceil(threads / 256));
  return groups <= 65535 ? { x: groups, y: 1 } : { x: 65535, y: Math.ceil(groups / 65535) };
}
