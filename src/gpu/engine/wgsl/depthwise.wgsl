// Depthwise convolution (MobileNet): each channel convolved with its own ks x ks filter, over
// NHWC images, two channels per thread. Weights in the layers' row layout: row (kh ks + kw) of
// C values, then the bias row: w[wOff + tap * wStride + c], w[biasOff + c].
// Entry `forward`: out = act(sum of taps + bias), zero padding (padH rows above, padW columns
// left: tfjs's 'same' at stride 2 pads an even side only below and right). Entry `backward_dx`:
// dIn = the taps' sum of dOut times the weight, times the derivative of the input's stored
// activation (`act` is then the input's). Entry `backward_dw`: one workgroup per (tap or bias
// row, channel pair) sums over every output pixel and writes float32 into the gradient buffer.
// in: acts[inOff + pixel * inStride + c]; out: acts[outOff + outPixel * outStride + c];
// dOut: deltas[outOff + ...]; dIn: deltas[inOff + ...]; grads[gOff + row * gStride + c].

struct DwDims {
  images: u32, H: u32, W: u32, C: u32,
  OH: u32, OW: u32, ks: u32, stride: u32,
  padH: u32, inOff: u32, inStride: u32, outOff: u32,
  outStride: u32, wOff: u32, wStride: u32, biasOff: u32,
  act: u32, gOff: u32, gStride: u32, padW: u32,
}

@group(0) @binding(1) var<uniform> dd: DwDims;
@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read_write> deltas: array<ELEM>;
@group(0) @binding(4) var<storage, read> w: array<ELEM>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;

// The input pixel tap (kh, kw) of output pixel (oh, ow) reads, or -1 in the padding.
fn tapPixel(n: u32, oh: u32, ow: u32, kh: u32, kw: u32) -> i32 {
  let ih = i32(oh * dd.stride + kh) - i32(dd.padH);
  let iw = i32(ow * dd.stride + kw) - i32(dd.padW);
  if (ih < 0 || iw < 0 || ih >= i32(dd.H) || iw >= i32(dd.W)) { return -1; }
  return i32((n * dd.H + u32(ih)) * dd.W + u32(iw));
}

fn outValue(n: u32, oh: u32, ow: u32, c: u32) -> f32 {
  if (c >= dd.C) { return 0.0; }
  var v = ld_w(dd.biasOff + c);
  for (var t = 0u; t < dd.ks * dd.ks; t++) {
    let p = tapPixel(n, oh, ow, t / dd.ks, t % dd.ks);
    if (p >= 0) { v += ld_acts(dd.inOff + u32(p) * dd.inStride + c) * ld_w(dd.wOff + t * dd.wStride + c); }
  }
  return activate(dd.act, v);
}

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, dd.outStride / 2u, dd.images * dd.OH * dd.OW);
  if (t.z == 0u) { return; }
  let at = pixelAt(t.y, dd.OH, dd.OW);
  st2_acts(dd.outOff + t.y * dd.outStride + t.x, outValue(at.x, at.y, at.z, t.x), outValue(at.x, at.y, at.z, t.x + 1u));
}

fn inGrad(n: u32, ih: u32, iw: u32, p: u32, c: u32) -> f32 {
  if (c >= dd.C) { return 0.0; }
  var g = 0.0;
  for (var t = 0u; t < dd.ks * dd.ks; t++) {
    let y = i32(ih + dd.padH) - i32(t / dd.ks);
    let x = i32(iw + dd.padW) - i32(t % dd.ks);
    if (y < 0 || x < 0 || u32(y) % dd.stride != 0u || u32(x) % dd.stride != 0u) { continue; }
    let oh = u32(y) / dd.stride;
    let ow = u32(x) / dd.stride;
    if (oh >= dd.OH || ow >= dd.OW) { continue; }
    g += ld_deltas(dd.outOff + ((n * dd.OH + oh) * dd.OW + ow) * dd.outStride + c) * ld_w(dd.wOff + t * dd.wStride + c);
  }
  return g * derivative(dd.act, ld_acts(dd.inOff + p * dd.inStride + c));
}

@compute @workgroup_size(256)
fn backward_dx(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, dd.inStride / 2u, dd.images * dd.H * dd.W);
  if (t.z == 0u) { return; }
  let at = pixelAt(t.y, dd.H, dd.W);
  st2_deltas(dd.inOff + t.y * dd.inStride + t.x, inGrad(at.x, at.y, at.z, t.y, t.x), inGrad(at.x, at.y, at.z, t.y, t.x + 1u));
}

var<workgroup> sums: array<vec2<f32>, 256>;

// The product of tap `row` (or the bias, row ks ks) for output pixel q and channel c.
fn wTerm(row: u32, q: u32, c: u32) -> f32 {
  if (c >= dd.C) { return 0.0; }
  let g = ld_deltas(dd.outOff + q * dd.outStride + c);
  if (row == dd.ks * dd.ks) { return g; }
  let at = pixelAt(q, dd.OH, dd.OW);
  let p = tapPixel(at.x, at.y, at.z, row / dd.ks, row % dd.ks);
  if (p < 0) { return 0.0; }
  return g * ld_acts(dd.inOff + u32(p) * dd.inStride + c);
}

@compute @workgroup_size(256)
fn backward_dw(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let c = wid.x * 2u;
  let row = wid.y;
  var s = vec2<f32>(0.0);
  for (var q = lid.x; q < dd.images * dd.OH * dd.OW; q += 256u) {
    s += vec2<f32>(wTerm(row, q, c), wTerm(row, q, c + 1u));
  }
  sums[lid.x] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid.x < k) { sums[lid.x] += sums[lid.x + k]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let at = dd.gOff + row * dd.gStride + c;
    if (c < dd.C) { check_finite(sums[0].x); grads[at] = sums[0].x; }
    if (c + 1u < dd.C) { check_finite(sums[0].y); grads[at + 1u] = sums[0].y; }
  }
}
