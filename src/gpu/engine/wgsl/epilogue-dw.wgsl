// The weight-gradient epilogue (backward-dw.wgsl, conv-dw.wgsl): float32 gradients into the
// flat gradient buffer; a non-finite one raises the overflow flag in fp16-mixed runs.

fn put(at: u32, col: u32, v: f32) {
  if (col < d.N) {
    check_finite(v);
    grads[at] = v;
  }
}

fn epilogue(row: u32, col: u32, v: vec4<f32>) {
  if (row >= d.M) { return; }
  let at = d.cOff + row * d.cStride + col;
  put(at, col, v.x);
  put(at + 1u, col + 1u, v.y);
  put(at + 2u, col + 2u, v.z);
  put(at + 3u, col + 3u, v.w);
}
