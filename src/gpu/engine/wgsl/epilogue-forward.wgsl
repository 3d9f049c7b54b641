// The forward epilogue (forward.wgsl, conv-forward.wgsl): bias and activation, written in the
// activation format, zeros from N to the row stride.

fn outAt(col: u32, v: f32) -> f32 {
  if (col >= d.N) { return 0.0; }
  return activate(d.act, v + ld_w(d.biasOff + col));
}

fn epilogue(row: u32, col: u32, v: vec4<f32>) {
  if (row >= d.M || col >= d.cStride) { return; }
  let at = d.cOff + row * d.cStride + col;
  st2_acts(at, outAt(col, v.x), outAt(col + 1u, v.y));
  st2_acts(at + 2u, outAt(col + 2u, v.z), outAt(col + 3u, v.w));
}
