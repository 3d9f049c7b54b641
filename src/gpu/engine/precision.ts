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
  const fns = bufferFnsAll(name, f).split('\n');
  return [fns[0], ...(writable ? fns.slice(1) : [])].join('\n') + '\n';
}

function bufferFnsAll(name: string, f: StorageFormat): string {
  if (f === 'f32') {
    return `fn ld_${name}(i: u32) -> f32 { return ${name}[i]; }
fn st2_${name}(i: u32, a: f32, b: f32) { ${name}[i] = a; ${name}[i + 1u] = b; }
fn st2c_${name}(i: u32, a: f32, b: f32) { ${name}[i] = a; ${name}[i + 1u] = b; }
`;
  }
  if (f === 'native') {
    return `fn ld_${name}(i: u32) -> f32 { return f32(${name}[i]); }
fn st2_${name}(i: u32, a: f32, b: f32) { ${name}[i] = f16(to16(a)); ${name}[i + 1u] = f16(to16(b)); }
fn st2c_${name}(i: u32, a: f32, b: f32) { ${name}[i] = f16(clamp16(a)); ${name}[i + 1u] = f16(clamp16(b)); }
`;
  }
  return `fn ld_${name}(i: u32) -> f32 { let p = unpack2x16float(${name}[i >> 1u]); return select(p.x, p.y, (i & 1u) == 1u); }
fn st2_${name}(i: u32, a: f32, b: f32) { ${name}[i >> 1u] = pack2x16float(vec2<f32>(to16(a), to16(b))); }
fn st2c_${name}(i: u32, a: f32, b: f32) { ${name}[i >> 1u] = pack2x16float(vec2<f32>(clamp16(a), clamp16(b))); }
`;
}

/** Kernel families (the .wgsl files); matmul-shaped ones are composed with a matmul core. */
export type KernelName = 'forward' | 'backward-dx' | 'backward-dw' | 'loss' | 'optimizer' | 'norm' | 'scaler' | 'convert';
const MATMUL: readonly KernelName[] = ['forward', 'backward-dx', 'backward-dw'];

/**
 * The two matmul cores: `tiled` (matmul.wgsl: tiles staged in workgroup memory) and `direct`
 * (matmul-direct.wgsl: no workgroup memory, no barriers). The engine times both per shape.
 */
export type MatmulCore = 'tiled' | 'direct';

/**
 * The WGSL module for a kernel family in a storage format: `enable f16;` where native, the
 * control block, the format's helpers for each `array<ELEM>` binding, the kernel, and the
 * matmul core (and the activations) for the three matmul-shaped kernels. `mixed` selects the
 * overflow checks.
 */
export function kernelSource(name: KernelName, format: StorageFormat, mixed: boolean, core: MatmulCore = 'tiled'): string {
  const body = WGSL_SOURCES[name];
  if (body === undefined) throw new Error(`no WGSL kernel named ${name}`);
  const matmul = MATMUL.includes(name) ? [WGSL_SOURCES[core === 'tiled' ? 'matmul' : 'matmul-direct'], WGSL_SOURCES.activation] : [];
  const text = [...matmul, body].join('\n').replaceAll('ELEM', ELEM[format]);
  const buffers = [...text.matchAll(/var<storage,\s*(read(?:_write)?)>\s+(\w+)\s*:\s*array<(?:f32|u32|f16)>/g)]
    .filter((m) => text.includes(`ld_${m[2]}(`) || text.includes(`st2_${m[2]}(`) || text.includes(`st2c_${m[2]}(`))
    .map((m) => ({ name: m[2], writable: m[1] === 'read_write' }));
  return [
    format === 'native' ? 'enable f16;' : '',
    CTL,
    mixed ? MIXED_FNS : F32_FNS,
    ...buffers.map((b) => bufferFns(b.name, format, b.writable)),
    text,
  ].join('\n');
}
