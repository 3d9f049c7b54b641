// Convolution forward as an implicit GEMM: out = act(conv(in, W) + b) over NHWC images.
// Rows: output pixels (n, oh, ow), M = N OH OW; columns: output channels, N = CO; k: the
// kernel taps and input channels (kh, kw, ci), K = ks ks C. in: acts[aOff + n inImage + pixel * aStride + ci];
// W: w[bOff + k * bStride + co] (the MLP's row layout, one row per tap and input channel), bias
// w[biasOff + co]; out: acts[cOff + row * cStride + co], zeros from CO to cStride.

const A_K_CONTIGUOUS = true;
const B_N_CONTIGUOUS = true;

@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<uniform> g: Geo;

fn aAt(row: u32, k: u32) -> f32 {
  if (row >= d.M || k >= d.K) { return 0.0; }
  let ow = row % g.OW;
  let oh = (row / g.OW) % g.OH;
  let n = row / (g.OW * g.OH);
  let ci = k % g.C;
  let kw = (k / g.C) % g.ks;
  let kh = k / (g.C * g.ks);
  let p = inputAt(n, oh, ow, kh, kw, d.aStride);
  if (p < 0) { return 0.0; }
  return ld_acts(d.aOff + u32(p) + ci);
}

fn bAt(k: u32, col: u32) -> f32 {
  if (k >= d.K || col >= d.N) { return 0.0; }
  return ld_w(d.bOff + k * d.bStride + col);
}

// The direct core's sum for output pixel `row` and output channels col..col+3: per tap inside
// the image, the input pixel's channels (of each channel's group) times the tap's weight rows
// (padding columns are zero).
fn rowSum(row: u32, col: u32) -> vec4<f32> {
  let ow = row % g.OW;
  let oh = (row / g.OW) % g.OH;
  let n = row / (g.OW * g.OH);
  let cg = g.C / g.groups;
  let first = groupFirst(col);
  let one = all(first == vec4<u32>(first.x));
  var acc = vec4<f32>(0.0);
  for (var kh = 0u; kh < g.ks; kh++) {
    for (var kw = 0u; kw < g.ks; kw++) {
      let p = inputAt(n, oh, ow, kh, kw, d.aStride);
      if (p < 0) { continue; }
      let a0 = d.aOff + u32(p);
      var wi = d.bOff + (kh * g.ks + kw) * cg * d.bStride + col;
      for (var ci = 0u; ci < cg; ci++) {
        let w4 = vec4<f32>(ld_w(wi), ld_w(wi + 1u), ld_w(wi + 2u), ld_w(wi + 3u));
        if (one) {
          acc += ld_acts(a0 + first.x + ci) * w4;
        } else {
          let a = a0 + ci;
          acc += vec4<f32>(ld_acts(a + first.x), ld_acts(a + first.y), ld_acts(a + first.z), ld_acts(a + first.w)) * w4;
        }
        wi += d.bStride;
      }
    }
  }
  return acc;
}
