// Weight and bias gradients in one product: [in | 1]^T * dOut, a (kA + 1) x N result whose
// last row is the bias gradient (column sums of dOut), written as float32 straight into the
// flat gradient buffer, where a layer's bias follows its weights with the same row stride.
// in: acts[aOff + m * aStride + k] (k < kA, m < K = batch rows); dOut: deltas[bOff + m * bStride + col];
// grads[cOff + row * cStride + col]. In fp16-mixed runs a non-finite gradient raises the
// overflow flag, and the optimizer skips the step.


// Memory order of the operands, for the tile loads (matmul.wgsl).
const A_K_CONTIGUOUS = false;
const B_N_CONTIGUOUS = true;

@group(0) @binding(2) var<storage, read> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> deltas: array<ELEM>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;

// 4 x 4 blocks for matmul-vec4.wgsl. A = [in | 1]^T: four batch rows of `in` read along the
// input columns and transposed; the column kA is the row of ones. Batch rows past K (stale
// rows of a longer earlier batch) read as zeros.
fn rowIn(m: u32, col: u32) -> vec4<f32> {
  if (m < d.K) { return ld4_acts(d.aOff + m * d.aStride + col); }
  return vec4<f32>(0.0);
}

// A[row..row+3, m]: batch row m of `in` at the columns row..row+3, the column kA being the ones.
fn tileA4(row: u32, m: u32) -> vec4<f32> {
  var v = rowIn(m, row);
  if (d.kA >= row && d.kA < row + 4u && m < d.K) { v[d.kA - row] = 1.0; }
  return v;
}

fn tileB4(m: u32, col: u32) -> vec4<f32> { return rowB(m, col); }

fn blockA(row: u32, m: u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(tileA4(row, m), tileA4(row, m + 1u), tileA4(row, m + 2u), tileA4(row, m + 3u)));
}

fn rowB(m: u32, col: u32) -> vec4<f32> {
  if (m < d.K) { return ld4_deltas(d.bOff + m * d.bStride + col); }
  return vec4<f32>(0.0);
}

fn blockB(m: u32, col: u32) -> mat4x4<f32> {
  return mat4x4<f32>(rowB(m, col), rowB(m + 1u, col), rowB(m + 2u, col), rowB(m + 3u, col));
}
