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
