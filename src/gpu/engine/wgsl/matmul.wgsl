// Register-blocked tiled matmul core, shared by forward.wgsl, backward-dx.wgsl and
// backward-dw.wgsl (each supplies tileA4, tileB4 and epilogue, and the bindings they use).
// C[M, N] = A[M, K] * B[K, N]: a workgroup of WG x WG threads computes a TS x TS tile
// (TS = 4 WG), each thread a 4 x 4 block (4 consecutive columns, so stores come in pairs
// and an f16 pair is one u32); K advances BK at a time through workgroup memory, A stored
// k-major so a thread reads its 4 rows and 4 columns of one k as two vec4 loads (the tile
// loads: matmul-tiles.wgsl).

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
  let r = lid.y * 4u;
  let c = lid.x * 4u;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = ks.x; k0 < ks.y; k0 += BK) {
    loadTiles(tid, row0, col0, k0);
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let a = As[k * (TS / 4u) + lid.y];
      let b = Bs[k * (TS / 4u) + lid.x];
      acc0 += a.x * b;
      acc1 += a.y * b;
      acc2 += a.z * b;
      acc3 += a.w * b;
    }
    workgroupBarrier();
  }
  epilogue(row0 + r, col0 + c, acc0);
  epilogue(row0 + r + 1u, col0 + c, acc1);
  epilogue(row0 + r + 2u, col0 + c, acc2);
  epilogue(row0 + r + 3u, col0 + c, acc3);
}
