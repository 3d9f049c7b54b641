// The epilogue of a weight gradient split along K (backward-dw.wgsl, conv-dw.wgsl on the tiled
// cores, with the partials buffer bound where the gradients are): workgroup z's float32 sums of
// its K slice go to its own M x N block, z M N + row N + col; reduce-splits.wgsl then adds the
// blocks up into the gradients.

fn epilogue(row: u32, col: u32, v: vec4<f32>) {
  if (row >= d.M) { return; }
  let at = (kSlice * d.M + row) * d.N + col;
  if (col < d.N) { grads[at] = v.x; }
  if (col + 1u < d.N) { grads[at + 1u] = v.y; }
  if (col + 2u < d.N) { grads[at + 2u] = v.z; }
  if (col + 3u < d.N) { grads[at + 3u] = v.w; }
}
