// Backward through a layer to its input: dIn = (dOut * W^T) . act'(in), the derivative taken
// from the input's stored activation output. Output M x N is the previous layer's delta.
// dOut: deltas[aOff + row * aStride + j] (j < K, the layer's width);
// W: w[bOff + col * bStride + j]; in: acts[hOff + row * hStride + col];
// dIn: deltas[cOff + row * cStride + col].


// Memory order of the operands, for the tile loads (matmul.wgsl).
const A_K_CONTIGUOUS = true;
const B_N_CONTIGUOUS = false;

@group(0) @binding(2) var<storage, read_write> deltas: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> acts: array<ELEM>;

// 4 x 4 blocks for matmul-vec4.wgsl. B = W^T: four rows of W (the output columns col..col+3)
// read along j, transposed.
fn rowA(row: u32, j: u32) -> vec4<f32> {
  if (row < d.M) { return ld4_deltas(d.aOff + row * d.aStride + j); }
  return vec4<f32>(0.0);
}

fn blockA(row: u32, j: u32) -> mat4x4<f32> {
  return mat4x4<f32>(rowA(row, j), rowA(row + 1u, j), rowA(row + 2u, j), rowA(row + 3u, j));
}

fn rowW(col: u32, j: u32) -> vec4<f32> {
  if (col < d.N) { return ld4_w(d.bOff + col * d.bStride + j); }
  return vec4<f32>(0.0);
}

// Four values along the contiguous direction, for matmul.wgsl's tile loads (B = W^T runs along j).
fn tileA4(row: u32, j: u32) -> vec4<f32> { return rowA(row, j); }
fn tileB4(j: u32, col: u32) -> vec4<f32> { return rowW(col, j); }

fn blockB(j: u32, col: u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(rowW(col, j), rowW(col + 1u, j), rowW(col + 2u, j), rowW(col + 3u, j)));
}
