// Forward through a pruned dense layer as a sparse x dense product: out = act(in * W + b), W
// held as compressed columns (CSC): output column n's kept weights are entries[ptr[n] ..
// ptr[n + 1]), each (input column k, the weight's index in the flat buffer `w`), so the values
// are the optimizer's own (never copied) and only the structure changes with the masks.
// One thread per four rows and four output columns; bias and activation in forward's epilogue.
// in: acts[aOff + row * aStride + k]; out: acts[cOff + row * cStride + col].

@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> ptr: array<u32>;
@group(0) @binding(5) var<storage, read> entries: array<vec2<u32>>;

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
    let n = col + c;
    if (n < d.N) {
      var s = vec4<f32>(0.0);
      for (var j = ptr[n]; j < ptr[n + 1u]; j++) {
        let e = entries[j];
        let wv = ld_w(e.y);
        s += wv * vec4<f32>(ld_acts(b0 + e.x), ld_acts(b1 + e.x), ld_acts(b2 + e.x), ld_acts(b3 + e.x));
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
