// Register-blocked tiled matmul core, shared by forward.wgsl, backward-dx.wgsl and
// backward-dw.wgsl (each supplies tileA4, tileB4 and epilogue, and the bindings they use).
// C[M, N] = A[M, K] * B[K, N]: a workgroup of WG x WG threads computes a TS x TS tile
// (TS = 4 WG), each thread a 4 x 4 block (4 consecutive columns, so stores come in pairs
// and an f16 pair is one u32); K advances BK at a time through workgroup memory, A stored
// k-major so a thread reads its 4 rows and 4 columns of one k as two vec4 loads.

const BK: u32 = 16u;

// Tiles k-major, four rows (As) or four columns (Bs) to a vec4: a thread reads its 4 x 4 block's
// share of one k as one vec4 of A and one of B.
var<workgroup> As: array<vec4<f32>, BK * TS / 4u>;
var<workgroup> Bs: array<vec4<f32>, BK * TS / 4u>;

fn putA(k: u32, r: u32, v: f32) { As[k * (TS / 4u) + r / 4u][r % 4u] = v; }
fn putB(k: u32, c: u32, v: f32) { Bs[k * (TS / 4u) + c / 4u][c % 4u] = v; }

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
        putA(ak, ar, v.x);
        putA(ak + 1u, ar, v.y);
        putA(ak + 2u, ar, v.z);
        putA(ak + 3u, ar, v.w);
      } else {
        let ak = e / (TS / 4u);
        let ar = (e % (TS / 4u)) * 4u;
        let v = tileA4(row0 + ar, k0 + ak);
        As[ak * (TS / 4u) + ar / 4u] = v;
      }
      if (B_N_CONTIGUOUS) {
        let bk = e / (TS / 4u);
        let bc = (e % (TS / 4u)) * 4u;
        let v = tileB4(k0 + bk, col0 + bc);
        Bs[bk * (TS / 4u) + bc / 4u] = v;
      } else {
        let bc = e / (BK / 4u);
        let bk = (e % (BK / 4u)) * 4u;
        var v = vec4<f32>(0.0);
        if (k0 + bk < d.K) { v = tileB4(k0 + bk, col0 + bc); }
        putB(bk, bc, v.x);
        putB(bk + 1u, bc, v.y);
        putB(bk + 2u, bc, v.z);
        putB(bk + 3u, bc, v.w);
      }
    }
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
