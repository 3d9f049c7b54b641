// What every matmul-shaped kernel shares: the product's shape and offsets (one uniform per
// dispatch, written by the engine) and the workgroup edge WG (TS = 4 WG outputs a side).

struct Dims {
  M: u32, N: u32, K: u32, act: u32,
  aOff: u32, aStride: u32, bOff: u32, bStride: u32,
  cOff: u32, cStride: u32, biasOff: u32, hOff: u32,
  hStride: u32, kA: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(1) var<uniform> d: Dims;

override WG: u32 = 16u;
override TS: u32 = WG * 4u;

// The K range of workgroup z of nz when a product is split along K (the weight gradients'
// split variants: nz slices, each a whole number of `step`-long tile steps, the last ending at
// K; slices past K are empty). With nz = 1 it is the whole of K. The slice is kept for the
// split epilogue (epilogue-partial.wgsl), which writes each slice's sums apart.
var<private> kSlice: u32 = 0u;

fn kRange(z: u32, nz: u32, step: u32) -> vec2<u32> {
  kSlice = z;
  let chunk = ((d.K + nz - 1u) / nz + step - 1u) / step * step;
  return vec2<u32>(min(z * chunk, d.K), min(z * chunk + chunk, d.K));
}
