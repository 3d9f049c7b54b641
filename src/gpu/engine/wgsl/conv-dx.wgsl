// Convolution backward to the input: dIn = convT(dOut, W) . act'(in), an implicit GEMM whose
// rows are input pixels (n, ih, iw), M = N H W; columns input channels, N = C; k the taps and
// output channels (kh, kw, co), K = ks ks CO. A tap reaches an input pixel from the output
// pixel ((ih + pad - kh) / stride, (iw + pad - kw) / stride) when that divides exactly and lies
// inside the output. dOut: deltas[aOff + outPixel * aStride + co]; W: w[bOff + ((kh ks + kw) C + ci) * bStride + co];
// in (its stored activation output): acts[hOff + row * hStride + ci]; dIn: deltas[cOff + row * cStride + ci].

const A_K_CONTIGUOUS = true;
const B_N_CONTIGUOUS = false;

@group(0) @binding(2) var<storage, read_write> deltas: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> acts: array<ELEM>;
@group(0) @binding(5) var<uniform> g: Geo;

fn aAt(row: u32, k: u32) -> f32 {
  if (row >= d.M || k >= d.K) { return 0.0; }
  let iw = row % g.W;
  let ih = (row / g.W) % g.H;
  let n = row / (g.W * g.H);
  let co = k % g.CO;
  let kw = (k / g.CO) % g.ks;
  let kh = k / (g.CO * g.ks);
  let y = i32(ih + g.pad) - i32(kh);
  let x = i32(iw + g.pad) - i32(kw);
  if (y < 0 || x < 0 || u32(y) % g.stride != 0u || u32(x) % g.stride != 0u) { return 0.0; }
  let oh = u32(y) / g.stride;
  let ow = u32(x) / g.stride;
  if (oh >= g.OH || ow >= g.OW) { return 0.0; }
  return ld_deltas(d.aOff + ((n * g.OH + oh) * g.OW + ow) * d.aStride + co);
}

fn bAt(k: u32, col: u32) -> f32 {
  if (k >= d.K || col >= d.N) { return 0.0; }
  let co = k % g.CO;
  let tap = k / g.CO;
  return ld_w(d.bOff + (tap * g.C + col) * d.bStride + co);
}

// The direct core's sum for input pixel `row` and input channels col..col+3: per tap that
// reaches an output pixel, that pixel's output gradients (of the channel's group) times the
// weights of the tap's rows for those channels (a channel past C reads nothing).
fn rowSum(row: u32, col: u32) -> vec4<f32> {
  let iw = row % g.W;
  let ih = (row / g.W) % g.H;
  let n = row / (g.W * g.H);
  let live = vec4<f32>(vec4<u32>(col, col + 1u, col + 2u, col + 3u) < vec4<u32>(g.C));
  let cg = g.C / g.groups;
  let cog = g.CO / g.groups;
  let lanes = min(vec4<u32>(col, col + 1u, col + 2u, col + 3u), vec4<u32>(g.C - 1u));
  // Each channel's group's first output channel, and its row within a tap's rows.
  let co0 = (lanes / cg) * cog;
  let cig = lanes % cg;
  let one = all(co0 == vec4<u32>(co0.x));
  var acc = vec4<f32>(0.0);
  for (var kh = 0u; kh < g.ks; kh++) {
    let y = i32(ih + g.pad) - i32(kh);
    if (y < 0 || u32(y) % g.stride != 0u || u32(y) / g.stride >= g.OH) { continue; }
    for (var kw = 0u; kw < g.ks; kw++) {
      let x = i32(iw + g.pad) - i32(kw);
      if (x < 0 || u32(x) % g.stride != 0u || u32(x) / g.stride >= g.OW) { continue; }
      let a0 = d.aOff + ((n * g.OH + u32(y) / g.stride) * g.OW + u32(x) / g.stride) * d.aStride;
      // The channels' rows of the tap (clamped inside it; dead lanes are zeroed by `live`).
      let r = d.bOff + ((kh * g.ks + kw) * cg + cig) * d.bStride;
      if (one) {
        for (var co = co0.x; co < co0.x + cog; co++) {
          acc += ld_deltas(a0 + co) * vec4<f32>(ld_w(r.x + co), ld_w(r.y + co), ld_w(r.z + co), ld_w(r.w + co));
        }
      } else {
        for (var i = 0u; i < 4u; i++) {
          for (var co = co0[i]; co < co0[i] + cog; co++) { acc[i] += ld_deltas(a0 + co) * ld_w(r[i] + co); }
        }
      }
    }
  }
  return acc * live;
}
