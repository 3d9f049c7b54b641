// Backward through a pruned dense layer to its input: dIn = (dOut * W^T) . act'(in), with W held
// as compressed rows (CSR): input column k's kept weights are entries[ptr[k] .. ptr[k + 1]),
// each (output column j, the weight's index in the flat buffer `w`). One thread per four rows
// and four input columns; the derivative in backward-dx's epilogue.
// dOut: deltas[aOff + row * aStride + j]; in: acts[hOff + row * hStride + col];
// dIn: deltas[cOff + row * cStride + col].

@group(0) @binding(2) var<storage, read_write> deltas: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> acts: array<ELEM>;
@group(0) @binding(5) var<storage, read> ptr: array<u32>;
@group(0) @binding(6) var<storage, read> entries: array<vec2<u32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let quads = d.cStride / 4u;
  let t = gid.x + gid.y * nw.x * 256u;
  let row = (t / quads) * 4u;
  if (row >= d.M) { return; }
  let col = (t % quads) * 4u;
  // Four rows share each weight read; rows past M read the last row again (their results are dropped).
  let last = d.M - 1u;
  let b0 = d.aOff + row * d.aStride;
  let b1 = d.aOff + min(row + 1u, last) * d.aStride;
  let b2 = d.aOff + min(row + 2u, last) * d.aStride;
  let b3 = d.aOff + min(row + 3u, last) * d.aStride;
  var acc = mat4x4<f32>();
  for (var c = 0u; c < 4u; c++) {
    let k = col + c;
    if (k < d.N) {
      var s = vec4<f32>(0.0);
      for (var j = ptr[k]; j < ptr[k + 1u]; j++) {
        let e = entries[j];
        let wv = ld_w(e.y);
        s += wv * vec4<f32>(ld_deltas(b0 + e.x), ld_deltas(b1 + e.x), ld_deltas(b2 + e.x), ld_deltas(b3 + e.x));
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
