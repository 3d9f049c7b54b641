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
