// Pooling over NHWC images, two channels per thread (an f16 pair is one u32).
// 2x2 max-pool with stride 2 ('valid': an odd last row or column is dropped) over NHWC images,
// two channels per thread (an f16 pair is one u32). Entry `forward`: out = the window's max.
// Entry `backward`: each input gets its window's output gradient when it is the window's first
// maximum (row-major order in the window, as tfjs's gradient picks), else zero; inputs outside
// every window (the dropped row or column) get zero. No atomics: windows do not overlap.
// in: acts[inOff + pixel * inStride + c]; out: acts[outOff + outPixel * outStride + c] (forward);
// dOut: deltas[outOff + outPixel * outStride + c]; dIn: deltas[inOff + pixel * inStride + c] (backward).

// Entries `average` and `average_backward`: global average pooling (out[n, c] = the mean of the
// image's H W values of channel c, rows of outStride), and its gradient dOut / (H W) times the
// derivative of each input's stored activation (`act`; the next layer's epilogue must not apply
// it again: the derivative of a mean is not the derivative at the mean).

struct PoolDims {
  images: u32, H: u32, W: u32, C: u32,
  inOff: u32, inStride: u32, outOff: u32, outStride: u32,
  act: u32, _p0: u32, _p1: u32, _p2: u32,
}

@group(0) @binding(1) var<uniform> pd: PoolDims;
@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read_write> deltas: array<ELEM>;

fn inAt(n: u32, y: u32, x: u32, c: u32) -> f32 {
  return ld_acts(pd.inOff + ((n * pd.H + y) * pd.W + x) * pd.inStride + c);
}

// The window (oh, ow)'s max of channel c, and the position (0..3, row-major) of its first maximum.
fn windowMax(n: u32, oh: u32, ow: u32, c: u32) -> vec2<f32> {
  var best = inAt(n, 2u * oh, 2u * ow, c);
  var at = 0u;
  for (var k = 1u; k < 4u; k++) {
    let v = inAt(n, 2u * oh + k / 2u, 2u * ow + k % 2u, c);
    if (v > best) { best = v; at = k; }
  }
  return vec2<f32>(best, f32(at));
}

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let OH = pd.H / 2u;
  let OW = pd.W / 2u;
  let t = pairItem(gid, nwg, pd.outStride / 2u, pd.images * OH * OW);
  if (t.z == 0u) { return; }
  let c = t.x;
  let at = pixelAt(t.y, OH, OW);
  var a = 0.0;
  var b = 0.0;
  if (c < pd.C) { a = windowMax(at.x, at.y, at.z, c).x; }
  if (c + 1u < pd.C) { b = windowMax(at.x, at.y, at.z, c + 1u).x; }
  st2_acts(pd.outOff + t.y * pd.outStride + c, a, b);
}

fn gradIn(n: u32, y: u32, x: u32, c: u32) -> f32 {
  let OH = pd.H / 2u;
  let OW = pd.W / 2u;
  let oh = y / 2u;
  let ow = x / 2u;
  if (c >= pd.C || oh >= OH || ow >= OW) { return 0.0; }
  if (u32(windowMax(n, oh, ow, c).y) != (y % 2u) * 2u + x % 2u) { return 0.0; }
  return ld_deltas(pd.outOff + ((n * OH + oh) * OW + ow) * pd.outStride + c);
}

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, pd.inStride / 2u, pd.images * pd.H * pd.W);
  if (t.z == 0u) { return; }
  let at = pixelAt(t.y, pd.H, pd.W);
  st2_deltas(pd.inOff + t.y * pd.inStride + t.x, gradIn(at.x, at.y, at.z, t.x), gradIn(at.x, at.y, at.z, t.x + 1u));
}

@compute @workgroup_size(256)
fn average(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, pd.outStride / 2u, pd.images);
  if (t.z == 0u) { return; }
  let c = t.x;
  let n = t.y;
  var a = 0.0;
  var b = 0.0;
  for (var y = 0u; y < pd.H; y++) {
    for (var x = 0u; x < pd.W; x++) {
      if (c < pd.C) { a += inAt(n, y, x, c); }
      if (c + 1u < pd.C) { b += inAt(n, y, x, c + 1u); }
    }
  }
  let inv = 1.0 / f32(pd.H * pd.W);
  st2_acts(pd.outOff + n * pd.outStride + c, a * inv, b * inv);
}

fn averageGrad(n: u32, p: u32, c: u32) -> f32 {
  if (c >= pd.C) { return 0.0; }
  let g = ld_deltas(pd.outOff + n * pd.outStride + c) / f32(pd.H * pd.W);
  return g * derivative(pd.act, ld_acts(pd.inOff + p * pd.inStride + c));
}

@compute @workgroup_size(256)
fn average_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, pd.inStride / 2u, pd.images * pd.H * pd.W);
  if (t.z == 0u) { return; }
  let n = t.y / (pd.W * pd.H);
  st2_deltas(pd.inOff + t.y * pd.inStride + t.x, averageGrad(n, t.y, t.x), averageGrad(n, t.y, t.x + 1u));
}
