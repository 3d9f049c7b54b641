// Shared by sparse-forward.wgsl and sparse-dx.wgsl: out[row, col] = sum over the kept entries of
// list `col` (ptr / entries: (column of the input rows, flat index of the weight)) of
// in[row, column] * w[flat], for four rows and four columns a thread, each weight read once for
// the four rows. The including file supplies `ld_in` (which buffer the rows are read from) and
// `epilogue`.

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let quads = d.cStride / 4u;
  let t = gid.x + gid.y * nw.x * 256u;
  let row = (t / quads) * 4u;
  if (row >= d.M) { return; }
  let col = (t % quads) * 4u;
  // Rows past M read the last row again (their results are dropped).
  let last = d.M - 1u;
  let b0 = d.aOff + row * d.aStride;
  let b1 = d.aOff + min(row + 1u, last) * d.aStride;
  let b2 = d.aOff + min(row + 2u, last) * d.aStride;
  let b3 = d.aOff + min(row + 3u, last) * d.aStride;
  var acc = mat4x4<f32>();
  for (var c = 0u; c < 4u; c++) {
    let list = col + c;
    if (list < d.N) {
      var s = vec4<f32>(0.0);
      for (var j = ptr[list]; j < ptr[list + 1u]; j++) {
        let e = entries[j];
        let wv = ld_w(e.y);
        s += wv * vec4<f32>(ld_in(b0 + e.x), ld_in(b1 + e.x), ld_in(b2 + e.x), ld_in(b3 + e.x));
      }
      acc[c] = s;
    }
  }
  // acc[c][i]: column col + c of row + i.
  let out = transpose(acc);
  epilogue(row, col, out[0]);
  epilogue(row + 1u, col, out[1]);
  epilogue(row + 2u, col, out[2]);
  epilogue(row + 3u, col, out[3]);
}
