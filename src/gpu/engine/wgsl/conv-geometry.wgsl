// What the convolution kernels share: the geometry of a 2-D convolution over NHWC images
// (one uniform per dispatch), and the tile readers of the tiled matmul cores (matmul.wgsl,
// matmul-tiled8.wgsl: the only cores convolutions use), built from each kernel's scalar readers aAt(row, k) and bAt(k, col) (zero outside the product and the image:
// the implicit GEMM, no im2col buffer). Channel strides are the engine's padded widths.

struct Geo {
  H: u32, W: u32, C: u32, CO: u32,
  OH: u32, OW: u32, ks: u32, stride: u32,
  pad: u32, inImage: u32, groups: u32, _p2: u32,
}

// Grouped convolutions (ResNeXt): output channel co sees only the C / groups input channels of
// its group, floor(co / (CO / groups)); weight rows are (kh, kw, channel within the group). Only
// the direct and split-K cores take groups > 1 (a tile's columns may span groups, its A may not).
// The first input channel of the group of each of the 4 channels col..col+3 (of CO channels).
fn groupFirst(col: u32) -> vec4<u32> {
  let cog = g.CO / g.groups;
  let lanes = min(vec4<u32>(col, col + 1u, col + 2u, col + 3u), vec4<u32>(g.CO - 1u));
  return (lanes / cog) * (g.C / g.groups);
}

// Four values of A along k (A_K_CONTIGUOUS) or along the rows, and of B along the columns
// (B_N_CONTIGUOUS) or along k, as matmul.wgsl's tile loads take them.
fn tileA4(row: u32, k: u32) -> vec4<f32> {
  if (A_K_CONTIGUOUS) { return vec4<f32>(aAt(row, k), aAt(row, k + 1u), aAt(row, k + 2u), aAt(row, k + 3u)); }
  return vec4<f32>(aAt(row, k), aAt(row + 1u, k), aAt(row + 2u, k), aAt(row + 3u, k));
}

fn tileB4(k: u32, col: u32) -> vec4<f32> {
  if (B_N_CONTIGUOUS) { return vec4<f32>(bAt(k, col), bAt(k, col + 1u), bAt(k, col + 2u), bAt(k, col + 3u)); }
  return vec4<f32>(bAt(k, col), bAt(k + 1u, col), bAt(k + 2u, col), bAt(k + 3u, col));
}

// Where the input pixel a kernel tap reads for an output pixel starts (elements past the input's
// offset: images inImage apart, pixels pixelStride apart), or -1 in the padding. inImage is the
// image's pixels times pixelStride, except for a network's input rows, padded to 4 as a whole.
fn inputAt(n: u32, oh: u32, ow: u32, kh: u32, kw: u32, pixelStride: u32) -> i32 {
  let ih = i32(oh * g.stride + kh) - i32(g.pad);
  let iw = i32(ow * g.stride + kw) - i32(g.pad);
  if (ih < 0 || iw < 0 || ih >= i32(g.H) || iw >= i32(g.W)) { return -1; }
  return i32(n * g.inImage + (u32(ih) * g.W + u32(iw)) * pixelStride);
}
