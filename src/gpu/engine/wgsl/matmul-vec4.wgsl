// Register-blocked matmul core over 4 x 4 blocks: each thread computes C[r..r+3, c..c+3] and
// walks K four at a time, reading a 4 x 4 block of A and one of B as four 4-wide loads each
// (blockA, blockB from the kernel file: column i of blockA is A[r + i, k..k+3], column t of
// blockB is B[k + t, c..c+3]) and adding blockB * blockA[i] (16 multiply-adds) per row. No
// workgroup memory and no barriers; a quarter of the loads of the scalar cores. Needs every
// row stride a multiple of 4 with zeros past the true width (the engine's layout guarantees it).

@compute @workgroup_size(WG, WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let r = wid.y * TS + lid.y * 4u;
  let c = wid.x * TS + lid.x * 4u;
  if (r >= d.M || c >= d.N) { return; }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < d.K; k += 4u) {
    let a = blockA(r, k);
    let b = blockB(k, c);
    acc0 += b * a[0];
    acc1 += b * a[1];
    acc2 += b * a[2];
    acc3 += b * a[3];
  }
  epilogue(r, c, acc0);
  epilogue(r + 1u, c, acc1);
  epilogue(r + 2u, c, acc2);
  epilogue(r + 3u, c, acc3);
}
