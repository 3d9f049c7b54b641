// Direct core of the convolutions' forward and input gradients (conv-forward.wgsl, conv-dx.wgsl),
// for few channels: each thread sums one row's products for four consecutive columns over the
// whole of K in registers (the kernel's rowSum, which walks the taps with no index arithmetic
// per k and skips the padding): no workgroup memory, no barriers, nothing computed for columns
// past N. A workgroup covers 64 rows and 4 columns.

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let row = wid.y * 64u + lid.x;
  let col = wid.x * 4u;
  if (row >= d.M) { return; }
  epilogue(row, col, rowSum(row, col));
}
