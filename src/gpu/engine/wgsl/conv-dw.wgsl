// Convolution weight and bias gradients in one implicit GEMM: rows are the taps and input
// channels (kh, kw, ci), kA = ks ks C of them, then one row of ones whose product is the bias
// gradient (column sums of dOut); columns output channels, N = CO; k the output pixels
// (n, oh, ow), K = N OH OW. in: acts[aOff + n inImage + pixel * aStride + ci]; dOut: deltas[bOff + k * bStride + co];
// grads[cOff + row * cStride + co] as float32, the layer's bias row right after its weights.

const A_K_CONTIGUOUS = false;
const B_N_CONTIGUOUS = true;

@group(0) @binding(2) var<storage, read> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> deltas: array<ELEM>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;
@group(0) @binding(5) var<uniform> g: Geo;

fn aAt(row: u32, k: u32) -> f32 {
  if (k >= d.K || row > d.kA) { return 0.0; }
  if (row == d.kA) { return 1.0; }
  let ow = k % g.OW;
  let oh = (k / g.OW) % g.OH;
  let n = k / (g.OW * g.OH);
  let ci = row % g.C;
  let kw = (row / g.C) % g.ks;
  let kh = row / (g.C * g.ks);
  let p = inputAt(n, oh, ow, kh, kw, d.aStride);
  if (p < 0) { return 0.0; }
  return ld_acts(d.aOff + u32(p) + ci);
}

fn bAt(k: u32, col: u32) -> f32 {
  if (k >= d.K || col >= d.N) { return 0.0; }
  return ld_deltas(d.bOff + k * d.bStride + col);
}

// The split-K core's partial sums for rows row0..row0+3 (taps and input channels of a group, or
// the bias row) and output channels col..col+3 over output pixels k = first, first + step, ...:
// each row's tap and channel are worked out once, each pixel's coordinates once per pixel.
fn blockSum(row0: u32, col: u32, first: u32, step: u32) -> mat4x4<f32> {
  var acc = mat4x4<f32>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  let cg = g.C / g.groups;
  let group = groupFirst(col);
  let one = all(group == vec4<u32>(group.x));
  var ci: array<u32, 4>;
  var kh: array<u32, 4>;
  var kw: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    ci[i] = r % cg;
    kw[i] = (r / cg) % g.ks;
    kh[i] = r / (cg * g.ks);
  }
  for (var k = first; k < d.K; k += step) {
    let ow = k % g.OW;
    let oh = (k / g.OW) % g.OH;
    let n = k / (g.OW * g.OH);
    let bi = d.bOff + k * d.bStride + col;
    let b = vec4<f32>(ld_deltas(bi), ld_deltas(bi + 1u), ld_deltas(bi + 2u), ld_deltas(bi + 3u));
    for (var i = 0u; i < 4u; i++) {
      let r = row0 + i;
      if (r > d.kA) { break; }
      if (r == d.kA) {
        acc[i] += b;
        continue;
      }
      let p = inputAt(n, oh, ow, kh[i], kw[i], d.aStride);
      if (p < 0) { continue; }
      let at = d.aOff + u32(p) + ci[i];
      if (one) {
        acc[i] += ld_acts(at + group.x) * b;
      } else {
        acc[i] += vec4<f32>(ld_acts(at + group.x), ld_acts(at + group.y), ld_acts(at + group.z), ld_acts(at + group.w)) * b;
      }
    }
  }
  return acc;
}
