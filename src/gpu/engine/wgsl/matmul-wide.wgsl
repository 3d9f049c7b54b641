// matmul-vec4.wgsl with 4 x 8 blocks: each thread computes C[r..r+3, c..c+7] (two 4 x 4 blocks
// side by side), so each 4 x 4 block of A it reads serves twice the multiply-adds. A workgroup
// covers TS rows and 2 TS columns. Where loads cost more than arithmetic (CPU implementations
// such as SwiftShader, where each lane gathers its own addresses) it wins; 8 x 8 blocks were
// slower there (fewer workgroups, and the accumulators no longer stay in registers).

@compute @workgroup_size(WG, WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let r = wid.y * TS + lid.y * 4u;
  let c = wid.x * 2u * TS + lid.x * 8u;
  if (r >= d.M || c >= d.N) { return; }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
  for (var k = 0u; k < d.K; k += 4u) {
    let a = blockA(r, k);
    let b0 = blockB(k, c);
    let b1 = blockB(k, c + 4u);
    acc0 += b0 * a[0];
    acc1 += b0 * a[1];
    acc2 += b0 * a[2];
    acc3 += b0 * a[3];
    acc4 += b1 * a[0];
    acc5 += b1 * a[1];
    acc6 += b1 * a[2];
    acc7 += b1 * a[3];
  }
  epilogue(r, c, acc0);
  epilogue(r + 1u, c, acc1);
  epilogue(r + 2u, c, acc2);
  epilogue(r + 3u, c, acc3);
  epilogue(r, c + 4u, acc4);
  epilogue(r + 1u, c + 4u, acc5);
  epilogue(r + 2u, c + 4u, acc6);
  epilogue(r + 3u, c + 4u, acc7);
}
