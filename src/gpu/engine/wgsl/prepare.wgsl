// Batches prepared on the GPU (prepareOn: gpu; src/core/data/prepare.ts is its TypeScript twin):
// raw rows (32-bit words: float32 values, NaN where missing, or categorical codes; or bytes:
// image pixels 0..255) become the network's input features by the encoding's plan, written in
// the activation format with a padded row stride, two features per thread. A plan entry per
// feature: (kind, source column, a, b): kind 0 scales, (value - bitcast(a)) / bitcast(b), 0
// where missing; kind 1 is one-hot, 1 where the code equals a. With `augment`, an image row
// ([H, W, C], channels last, one scaled feature per pixel and channel) is read through a random
// crop with `pad` pixels of zero padding and a horizontal flip, drawn per row from the seed and
// the step by PCG hashes; a padding pixel reads the raw value 0.

struct PrepDims {
  rows: u32, features: u32, bytes: u32, rawStride: u32,
  dstOff: u32, dstStride: u32, augment: u32, pad: u32,
  flip: u32, seed: u32, step: u32, H: u32,
  W: u32, C: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(1) var<uniform> pp: PrepDims;
@group(0) @binding(2) var<storage, read> raw: array<u32>;
@group(0) @binding(3) var<storage, read> plan: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read_write> acts: array<ELEM>;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rawWord(row: u32, s: u32) -> u32 { return raw[row * pp.rawStride + s]; }

fn rawValue(row: u32, s: u32) -> f32 {
  if (pp.bytes == 1u) {
    let at = row * pp.rawStride * 4u + s;
    return f32((raw[at / 4u] >> (8u * (at % 4u))) & 255u);
  }
  return bitcast<f32>(rawWord(row, s));
}

fn isNan(bits: u32) -> bool { return (bits & 0x7fffffffu) > 0x7f800000u; }

fn feature(row: u32, j: u32) -> f32 {
  if (j >= pp.features) { return 0.0; }
  let f = plan[j];
  var source = f.y;
  var padding = false;
  if (pp.augment == 1u) {
    let h = pcg(pcg(pcg(pp.seed) ^ pp.step) ^ row);
    let span = 2u * pp.pad + 1u;
    let dy = i32(h % span) - i32(pp.pad);
    let dx = i32((h / span) % span) - i32(pp.pad);
    let xo = (j / pp.C) % pp.W;
    var xs = xo;
    if (pp.flip == 1u && (h >> 31u) == 1u) { xs = pp.W - 1u - xo; }
    let y = i32(j / (pp.W * pp.C)) + dy;
    let x = i32(xs) + dx;
    padding = y < 0 || x < 0 || y >= i32(pp.H) || x >= i32(pp.W);
    if (!padding) { source = plan[(u32(y) * pp.W + u32(x)) * pp.C + j % pp.C].y; }
  }
  if (f.x == 1u) { return select(0.0, 1.0, rawWord(row, source) == f.z); }
  if (padding) { return (0.0 - bitcast<f32>(f.z)) / bitcast<f32>(f.w); }
  if (pp.bytes == 0u && isNan(rawWord(row, source))) { return 0.0; }
  return (rawValue(row, source) - bitcast<f32>(f.z)) / bitcast<f32>(f.w);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, pp.dstStride / 2u, pp.rows);
  if (t.z == 0u) { return; }
  st2_acts(pp.dstOff + t.y * pp.dstStride + t.x, feature(t.y, t.x), feature(t.y, t.x + 1u));
}
