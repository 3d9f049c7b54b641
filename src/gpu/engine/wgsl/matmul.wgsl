// Register-blocked tiled matmul core, shared by forward.wgsl, backward-dx.wgsl and
// backward-dw.wgsl (each supplies loadA, loadB and epilogue, and the bindings they use).
// C[M, N] = A[M, K] * B[K, N]: a workgroup of WG x WG threads computes a TS x TS tile
// (TS = 4 WG), each thread a 4 x 4 block (4 consecutive columns, so stores come in pairs
// and an f16 pair is one u32); K advances BK at a time through workgroup memory, A stored
// k-major so a thread reads its 4 rows and 4 columns of one k as two runs.

struct Dims {
  M: u32, N: u32, K: u32, act: u32,
  aOff: u32, aStride: u32, bOff: u32, bStride: u32,
  cOff: u32, cStride: u32, biasOff: u32, hOff: u32,
  hStride: u32, kA: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(1) var<uniform> d: Dims;

override WG: u32 = 16u;
override TS: u32 = WG * 4u;
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
    // Neighbouring threads load neighbouring addresses: along k where A is k-contiguous
    // (A_K_CONTIGUOUS, set by the kernel file), along rows where it is transposed; same for B.
    for (var e = tid; e < BK * TS; e += WG * WG) {
      var ar = e / BK;
      var ak = e % BK;
      if (!A_K_CONTIGUOUS) {
        ar = e % TS;
        ak = e / TS;
      }
      As[ak * TS + ar] = loadA(row0 + ar, k0 + ak);
      var bk = e / TS;
      var bc = e % TS;
      if (!B_N_CONTIGUOUS) {
        bk = e % BK;
        bc = e / BK;
      }
      Bs[bk * TS + bc] = loadB(k0 + bk, col0 + bc);
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
