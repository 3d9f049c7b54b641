// The input-gradient epilogue (backward-dx.wgsl, conv-dx.wgsl): times the derivative of the
// input's stored activation, written in the activation format, zeros from N to the row stride.

fn dIn(row: u32, col: u32, v: f32) -> f32 {
  if (col >= d.N) { return 0.0; }
  return v * derivative(d.act, ld_acts(d.hOff + row * d.hStride + col));
}

fn epilogue(row: u32, col: u32, v: vec4<f32>) {
  if (row >= d.M || col >= d.cStride) { return; }
  let at = d.cOff + row * d.cStride + col;
  st2_deltas(at, dIn(row, col, v.x), dIn(row, col + 1u, v.y));
  st2_deltas(at + 2u, dIn(row, col + 2u, v.z), dIn(row, col + 3u, v.w));
}
