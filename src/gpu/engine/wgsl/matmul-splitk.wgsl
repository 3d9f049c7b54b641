// Split-K core of the convolutions' weight gradients (conv-dw.wgsl): few outputs, a long K
// (every output pixel of the batch). A workgroup of 128 threads per 4 x 4 block of outputs;
// each thread sums every 128th k of the block's products in registers (the kernel's blockSum),
// then the workgroup adds its 128 partial blocks up in workgroup memory, and one thread hands
// the block to the epilogue.

var<workgroup> partial: array<mat4x4<f32>, 128>;

@compute @workgroup_size(128)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let row = wid.y * 4u;
  let col = wid.x * 4u;
  partial[lid.x] = blockSum(row, col, lid.x, 128u);
  workgroupBarrier();
  for (var s = 64u; s > 0u; s >>= 1u) {
    if (lid.x < s) { partial[lid.x] = partial[lid.x] + partial[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let sum = partial[0];
    epilogue(row, col, sum[0]);
    epilogue(row + 1u, col, sum[1]);
    epilogue(row + 2u, col, sum[2]);
    epilogue(row + 3u, col, sum[3]);
  }
}
