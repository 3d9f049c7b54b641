// The tile loads of the tiled matmul cores (matmul.wgsl, matmul-tiled8.wgsl): BK x TS slices
// of A and B staged in workgroup memory k-major, four rows (As) or four columns (Bs) to a vec4,
// so a thread reads its block's share of one k as whole vec4s.

const BK: u32 = 16u;

var<workgroup> As: array<vec4<f32>, BK * TS / 4u>;
var<workgroup> Bs: array<vec4<f32>, BK * TS / 4u>;

fn putA(k: u32, r: u32, v: f32) { As[k * (TS / 4u) + r / 4u][r % 4u] = v; }
fn putB(k: u32, c: u32, v: f32) { Bs[k * (TS / 4u) + c / 4u][c % 4u] = v; }

// Thread `tid` of the workgroup's share of the slice k0..k0+BK of the tile at (row0, col0).
fn loadTiles(tid: u32, row0: u32, col0: u32, k0: u32) {
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
}
