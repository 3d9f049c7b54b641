// Forward layer: out = act(in * W + b), written in the activation format (f32 or f16).
// in: acts[aOff + row * aStride + k]; W, b: w[bOff + k * bStride + col], w[biasOff + col];
// out: acts[cOff + row * cStride + col]; columns from N to cStride are written as zeros.


// Memory order of the operands, for the tile loads (matmul.wgsl).
const A_K_CONTIGUOUS = true;
const B_N_CONTIGUOUS = true;

@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;

// Rows of A and B, four values each: rows past M and weight rows past K read as zeros.
fn rowA(row: u32, k: u32) -> vec4<f32> {
  if (row < d.M) { return ld4_acts(d.aOff + row * d.aStride + k); }
  return vec4<f32>(0.0);
}

// Four values along the contiguous direction, for matmul.wgsl's tile loads.
fn tileA4(row: u32, k: u32) -> vec4<f32> { return rowA(row, k); }
fn tileB4(k: u32, col: u32) -> vec4<f32> { return rowB(k, col); }

fn blockA(row: u32, k: u32) -> mat4x4<f32> {
  return mat4x4<f32>(rowA(row, k), rowA(row + 1u, k), rowA(row + 2u, k), rowA(row + 3u, k));
}

fn rowB(k: u32, col: u32) -> vec4<f32> {
  if (k < d.K) { return ld4_w(d.bOff + k * d.bStride + col); }
  return vec4<f32>(0.0);
}

fn blockB(k: u32, col: u32) -> mat4x4<f32> {
  return mat4x4<f32>(rowB(k, col), rowB(k + 1u, col), rowB(k + 2u, col), rowB(k + 3u, col));
}
