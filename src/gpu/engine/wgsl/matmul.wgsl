// Register-blocked tiled matmul core, shared by forward.wgsl, backward-dx.wgsl and
// backward-dw.wgsl (each supplies tileA4, tileB4 and epilogue, and the bindings they use).
// C[M, N] = A[M, K] * B[K, N]: a workgroup of WG x WG threads computes a TS x TS tile
// (TS = 4 WG), each thread a 4 x 4 block (4 consecutive columns, so stores come in pairs
// and an f16 pair is one u32); K advances BK at a time through workgroup memory, A stored
// k-major so a thread reads its 4 rows and 4 columns of one k as two runs.

const BK: u32 = 16u;

var<workgroup> As: array<f32, BK * TS>;
var<workgroup> Bs: array<f32, BK * TS>;

@compute @workgroup_size(WG, WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let tid = lid.y * WG + lid.x;
  let row0 = wid.y * TS;
  let col0 = wid.x * TS;
  let r = lid.y * 4u;
  let c = lid.x * 4u;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < d.K; k0 += BK) {
    // Four values per load, along the direction in which the operand is contiguous in memory
    // (A_K_CONTIGUOUS / B_N_CONTIGUOUS from the kernel file; tileA4 / tileB4 read them).
    for (var e = tid; e < BK * TS / 4u; e += WG * WG) {
      if (A_K_CONTIGUOUS) {
        let ar = e / (BK / 4u);
        let ak = (e % (BK / 4u)) * 4u;
        // Past K (rounded up to 4, zeros in memory) lie the next row's values.
        var v = vec4<f32>(0.0);
        if (k0 + ak < d.K) { v = tileA4(row0 + ar, k0 + ak); }
        As[ak * TS + ar] = v.x;
        As[(ak + 1u) * TS + ar] = v.y;
        As[(ak + 2u) * TS + ar] = v.z;
        As[(ak + 3u) * TS + ar] = v.w;
      } else {
        let ak = e / (TS / 4u);
        let ar = (e % (TS / 4u)) * 4u;
        let v = tileA4(row0 + ar, k0 + ak);
        As[ak * TS + ar] = v.x;
        As[ak * TS + ar + 1u] = v.y;
        As[ak * TS + ar + 2u] = v.z;
        As[ak * TS + ar + 3u] = v.w;
      }
      if (B_N_CONTIGUOUS) {
        let bk = e / (TS / 4u);
        let bc = (e % (TS / 4u)) * 4u;
        let v = tileB4(k0 + bk, col0 + bc);
        Bs[bk * TS + bc] = v.x;
        Bs[bk * TS + bc + 1u] = v.y;
        Bs[bk * TS + bc + 2u] = v.z;
        Bs[bk * TS + bc + 3u] = v.w;
      } else {
        let bc = e / (BK / 4u);
        let bk = (e % (BK / 4u)) * 4u;
        var v = vec4<f32>(0.0);
        if (k0 + bk < d.K) { v = tileB4(k0 + bk, col0 + bc); }
        Bs[bk * TS + bc] = v.x;
        Bs[(bk + 1u) * TS + bc] = v.y;
        Bs[(bk + 2u) * TS + bc] = v.z;
        Bs[(bk + 3u) * TS + bc] = v.w;
      }
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let b = vec4<f32>(Bs[k * TS + c], Bs[k * TS + c + 1u], Bs[k * TS + c + 2u], Bs[k * TS + c + 3u]);
      acc0 += As[k * TS + r] * b;
      acc1 += As[k * TS + r + 1u] * b;
      acc2 += As[k * TS + r + 2u] * b;
      acc3 += As[k * TS + r + 3u] * b;
    }
    workgroupBarrier();
  }
  epilogue(row0 + r, col0 + c, acc0);
  epilogue(row0 + r + 1u, col0 + c, acc1);
  epilogue(row0 + r + 2u, col0 + c, acc2);
  epilogue(row0 + r + 3u, col0 + c, acc3);
}
