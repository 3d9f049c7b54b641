/**
 * How a kernel stores the activations and the weight copy the matmuls read, and the WGSL text
 * that hides it: every kernel reads such a buffer B through `ld_B(i) -> f32` and writes it in
 * pairs through `st2_B(i, a, b)` (i even), so one kernel source serves three formats:
 * - `f32`: array<f32>.
 * - `packed`: two float16 in one u32 (`pack2x16float` / `unpack2x16float`, core WGSL, any adapter).
 * - `native`: array<f16> under `enable f16;` (adapters with `shader-f16`).
 * Arithmetic is float32 in every format; float16 is storage. A value a float16 cannot hold
 * (|v| >= 65520 rounds to infinity, or inf/NaN) is clamped before packing (packing it is
 * indeterminate in WGSL) and raises the run's overflow flag, so the step is skipped.
 */
import { WGSL_SOURCES } from './wgsl/sources';

export type StorageFormat = 'f32' | 'packed' | 'native';

const ELEM: Record<StorageFormat, string> = { f32: 'f32', packed: 'u32', native: 'f16' };

/** Bytes per stored element. */
export const bytesPerElement = (f: StorageFormat): number => (f === 'f32' ? 4 : 2);

const CTL = `
struct Ctl { overflow: atomic<u32>, good: u32, t: u32, skipped: u32, scale: f32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<storage, read_write> ctl: Ctl;
fn touch_ctl() { _ = atomicLoad(&ctl.overflow); }
`;

const MIXED_FNS = `
fn is_finite_(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }
fn check_finite(v: f32) { if (!is_finite_(v)) { atomicStore(&ctl.overflow, 1u); } }
// Clamped into float16's range; NaN becomes 0 (tested on the bits: v != v may be folded away).
fn clamp16(v: f32) -> f32 {
  if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { return 0.0; }
  return clamp(v, -65504.0, 65504.0);
}
// A value about to be stored as float16: flags what float16 cannot hold, then clamps.
fn to16(v: f32) -> f32 {
  if (!is_finite_(v) || abs(v) >= 65520.0) { atomicStore(&ctl.overflow, 1u); }
  return clamp16(v);
}
fn loss_scale() -> f32 { return ctl.scale; }
`;

const F32_FNS = `
fn check_finite(v: f32) { }
fn clamp16(v: f32) -> f32 { return v; }
fn to16(v: f32) -> f32 { return v; }
fn loss_scale() -> f32 { return 1.0; }
`;

function bufferFns(name: string, f: StorageFormat, writable: boolean): string {
  const { read, write } = BUFFER_FNS[f](name);
  return `${read}\n${writable ? `${write}\n` : ''}`;
}

/**
 * Per format: `ld_B(i)` one value; `ld4_B(i)` four from i (a multiple of 4); `st2_B(i, a, b)`
 * two at i (even), flagged and clamped for float16; `st2c_B` the same, clamped without a flag.
 */
const BUFFER_FNS: Record<StorageFormat, (n: string) => { read: string; write: string }> = {
  f32: (n) => ({
    read: `fn ld_${n}(i: u32) -> f32 { return ${n}[i]; }
fn ld4_${n}(i: u32) -> vec4<f32> { return vec4<f32>(${n}[i], ${n}[i + 1u], ${n}[i + 2u], ${n}[i + 3u]); }`,
    write: `fn st2_${n}(i: u32, a: f32, b: f32) { ${n}[i] = a; ${n}[i + 1u] = b; }
fn st2c_${n}(i: u32, a: f32, b: f32) { ${n}[i] = a; ${n}[i + 1u] = b; }`,
  }),
  native: (n) => ({
    read: `fn ld_${n}(i: u32) -> f32 { return f32(${n}[i]); }
fn ld4_${n}(i: u32) -> vec4<f32> { return vec4<f32>(vec4<f16>(${n}[i], ${n}[i + 1u], ${n}[i + 2u], ${n}[i + 3u])); }`,
    write: `fn st2_${n}(i: u32, a: f32, b: f32) { ${n}[i] = f16(to16(a)); ${n}[i + 1u] = f16(to16(b)); }
fn st2c_${n}(i: u32, a: f32, b: f32) { ${n}[i] = f16(clamp16(a)); ${n}[i + 1u] = f16(clamp16(b)); }`,
  }),
  packed: (n) => ({
    read: `fn ld_${n}(i: u32) -> f32 { let p = unpack2x16float(${n}[i >> 1u]); return select(p.x, p.y, (i & 1u) == 1u); }
fn ld4_${n}(i: u32) -> vec4<f32> { let at = i >> 1u; return vec4<f32>(unpack2x16float(${n}[at]), unpack2x16float(${n}[at + 1u])); }`,
    write: `fn st2_${n}(i: u32, a: f32, b: f32) { ${n}[i >> 1u] = pack2x16float(vec2<f32>(to16(a), to16(b))); }
fn st2c_${n}(i: u32, a: f32, b: f32) { ${n}[i >> 1u] = pack2x16float(vec2<f32>(clamp16(a), clamp16(b))); }`,
  }),
};

/** Kernel families (the .wgsl files); matmul-shaped ones are composed with a matmul core. */

export type KernelName =
  | 'forward'
  | 'backward-dx'
  | 'backward-dw'
  | 'conv-forward'
  | 'conv-dx'
  | 'conv-dw'
  | 'pool'
  | 'depthwise'
  | 'loss'
  | 'optimizer'
  | 'norm'
  | 'scaler'
  | 'convert'
  | 'prepare'
  | 'sparse-forward'
  | 'sparse-dx'
  | 'sparse-dw'
  | 'reduce-splits';
const MATMUL: readonly KernelName[] = ['forward', 'backward-dx', 'backward-dw', 'conv-forward', 'conv-dx', 'conv-dw'];
/** The CSR kernels of pruned layers: the products' shapes and epilogues, no matmul core. */
const SPARSE: readonly KernelName[] = ['sparse-forward', 'sparse-dx', 'sparse-dw'];
const EPILOGUE: Partial<Record<KernelName, string>> = {
  forward: 'epilogue-forward',
  'sparse-forward': 'epilogue-forward',
  'sparse-dx': 'epilogue-dx',
  'conv-forward': 'epilogue-forward',
  'backward-dx': 'epilogue-dx',
  'conv-dx': 'epilogue-dx',
  'backward-dw': 'epilogue-dw',
  'conv-dw': 'epilogue-dw',
  // The sum of a split product's slices stores through the weight gradients' `put`.
  'reduce-splits': 'epilogue-dw',
};
/** The weight gradients, which may be split along K (epilogue-partial.wgsl, then reduce-splits.wgsl). */
const SPLITS: readonly KernelName[] = ['backward-dw', 'conv-dw'];
/** The convolutions: implicit GEMMs on the same matmul cores, with the image geometry beside. */
const CONV: readonly KernelName[] = ['conv-forward', 'conv-dx', 'conv-dw'];

/**
 * The matmul cores: `tiled` (matmul.wgsl: tiles staged in workgroup memory, loaded four values
 * at a time, 4 x 4 outputs per thread), `tiled8` (matmul-tiled8.wgsl: the same with 8 x 8
 * outputs per thread, for large products on GPUs), `vec4` (matmul-vec4.wgsl: no workgroup
 * memory and no barriers, each thread reading its own 4 x 4 blocks) and `wide`
 * (matmul-wide.wgsl: the same with 4 x 8 outputs per thread, a workgroup TS rows by 2 TS
 * columns). The engine times them per shape. Convolutions only (scalar readers): `direct`
 * (matmul-direct.wgsl: a thread per row and 4 columns over all of K, for few channels) and
 * `splitk` (matmul-splitk.wgsl: a workgroup per 4 x 4 outputs splitting a long K, for weight
 * gradients).
 */
export type MatmulCore = 'tiled' | 'tiled8' | 'vec4' | 'wide' | 'direct' | 'splitk';

/**
 * The WGSL module for a kernel family in a storage format: `enable f16;` where native, the
 * control block, the format's helpers for each `array<ELEM>` binding, the kernel, and the
 * matmul core (and the activations) for the three matmul-shaped kernels. `mixed` selects the
 * overflow checks.
 */
export function kernelSource(
  name: KernelName,
  format: StorageFormat,
  mixed: boolean,
  core: MatmulCore = 'tiled',
  split = false,
): string {
  if (split && !SPLITS.includes(name)) throw new Error(`only weight gradients are split along K, not ${name}`);
  if (split && core !== 'tiled' && core !== 'tiled8')
    throw new Error(`a product split along K runs on the tiled cores, not ${core}`);
  const body = WGSL_SOURCES[name];
  if (body === undefined) throw new Error(`no WGSL kernel named ${name}`);
  const matmul = MATMUL.includes(name)
    ? [
        WGSL_SOURCES['matmul-dims'],
        WGSL_SOURCES[core === 'tiled' ? 'matmul' : `matmul-${core}`],
        WGSL_SOURCES.activation,
      ]
    : SPARSE.includes(name)
      ? [
          WGSL_SOURCES['matmul-dims'],
          WGSL_SOURCES.activation,
          ...(name === 'sparse-dw' ? [] : [WGSL_SOURCES['sparse-rows']]),
        ]
      : name === 'reduce-splits'
        ? [WGSL_SOURCES['matmul-dims']]
        : [];
  if (MATMUL.includes(name) && (core === 'tiled' || core === 'tiled8')) matmul.push(WGSL_SOURCES['matmul-tiles']);
  // The image kernels that are not products use the activations too.
  if (name === 'pool' || name === 'depthwise') matmul.push(WGSL_SOURCES.activation, WGSL_SOURCES['image-threads']);
  // The kernels writing rows two values a thread share the same grid bookkeeping.
  if (name === 'convert' || name === 'prepare') matmul.push(WGSL_SOURCES['image-threads']);
  // Each product's epilogue, shared by the dense and the convolution kernel of that product.
  const epilogue = split ? 'epilogue-partial' : EPILOGUE[name];
  if (epilogue) matmul.push(WGSL_SOURCES[epilogue]);
  if (CONV.includes(name)) {
    // Gathered operands give the register-blocked cores nothing to load four at a time.
    if (core === 'vec4' || core === 'wide')
      throw new Error(`the convolution kernels run on the tiled, direct and split-K cores, not ${core}`);
    matmul.push(WGSL_SOURCES['conv-geometry']);
  }
  // The block readers live in the kernel files; the wide core uses matmul-vec4's contract.
  const text = [...matmul, body].join('\n').replaceAll('ELEM', ELEM[format]);
  const buffers = [...text.matchAll(/var<storage,\s*(read(?:_write)?)>\s+(\w+)\s*:\s*array<(?:f32|u32|f16)>/g)]
    .filter((m) => ['ld_', 'ld4_', 'st2_', 'st2c_'].some((f) => text.includes(`${f}${m[2]}(`)))
    .map((m) => ({ name: m[2], writable: m[1] === 'read_write' }));
  return [
    format === 'native' ? 'enable f16;' : '',
    CTL,
    mixed ? MIXED_FNS : F32_FNS,
    ...buffers.map((b) => bufferFns(b.name, format, b.writable)),
    text,
  ].join('\n');
}
