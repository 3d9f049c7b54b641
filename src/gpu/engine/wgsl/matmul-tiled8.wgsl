// The tiled core (matmul.wgsl) with 8 x 8 outputs per thread: a workgroup of WG x WG threads
// computes a TS x TS tile (TS = 8 WG, set as a pipeline constant), each thread the rows
// r, r + TS / 2 (four each) by the columns c, c + TS / 2 (four each), so each value read from
// workgroup memory serves eight multiply-adds instead of four, and a tile's operand bytes feed
// twice the arithmetic. Meant for GPUs with large register files on big products; the engine
// times it against the other cores per shape. The tile loads are matmul-tiles.wgsl's.

@compute @workgroup_size(WG, WG)
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  touch_ctl();
  let ks = kRange(wid.z, nwg.z, BK);
  let tid = lid.y * WG + lid.x;
  let row0 = wid.y * TS;
  let col0 = wid.x * TS;
  let r0 = lid.y * 4u;
  let r1 = TS / 2u + lid.y * 4u;
  let c0 = lid.x * 4u;
  let c1 = TS / 2u + lid.x * 4u;
  var acc00 = vec4<f32>(0.0);
  var acc01 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc20 = vec4<f32>(0.0);
  var acc21 = vec4<f32>(0.0);
  var acc30 = vec4<f32>(0.0);
  var acc31 = vec4<f32>(0.0);
  var acc40 = vec4<f32>(0.0);
  var acc41 = vec4<f32>(0.0);
  var acc50 = vec4<f32>(0.0);
  var acc51 = vec4<f32>(0.0);
  var acc60 = vec4<f32>(0.0);
  var acc61 = vec4<f32>(0.0);
  var acc70 = vec4<f32>(0.0);
  var acc71 = vec4<f32>(0.0);
  for (var k0 = ks.x; k0 < ks.y; k0 += BK) {
    loadTiles(tid, row0, col0, k0);
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let a0 = As[k * (TS / 4u) + lid.y];
      let a1 = As[k * (TS / 4u) + WG + lid.y];
      let b0 = Bs[k * (TS / 4u) + lid.x];
      let b1 = Bs[k * (TS / 4u) + WG + lid.x];
      acc00 += a0.x * b0;
      acc01 += a0.x * b1;
      acc10 += a0.y * b0;
      acc11 += a0.y * b1;
      acc20 += a0.z * b0;
      acc21 += a0.z * b1;
      acc30 += a0.w * b0;
      acc31 += a0.w * b1;
      acc40 += a1.x * b0;
      acc41 += a1.x * b1;
      acc50 += a1.y * b0;
      acc51 += a1.y * b1;
      acc60 += a1.z * b0;
      acc61 += a1.z * b1;
      acc70 += a1.w * b0;
      acc71 += a1.w * b1;
    }
    workgroupBarrier();
  }
  epilogue(row0 + r0 + 0u, col0 + c0, acc00);
  epilogue(row0 + r0 + 0u, col0 + c1, acc01);
  epilogue(row0 + r0 + 1u, col0 + c0, acc10);
  epilogue(row0 + r0 + 1u, col0 + c1, acc11);
  epilogue(row0 + r0 + 2u, col0 + c0, acc20);
  epilogue(row0 + r0 + 2u, col0 + c1, acc21);
  epilogue(row0 + r0 + 3u, col0 + c0, acc30);
  epilogue(row0 + r0 + 3u, col0 + c1, acc31);
  epilogue(row0 + r1 + 0u, col0 + c0, acc40);
  epilogue(row0 + r1 + 0u, col0 + c1, acc41);
  epilogue(row0 + r1 + 1u, col0 + c0, acc50);
  epilogue(row0 + r1 + 1u, col0 + c1, acc51);
  epilogue(row0 + r1 + 2u, col0 + c0, acc60);
  epilogue(row0 + r1 + 2u, col0 + c1, acc61);
  epilogue(row0 + r1 + 3u, col0 + c0, acc70);
  epilogue(row0 + r1 + 3u, col0 + c1, acc71);
}
