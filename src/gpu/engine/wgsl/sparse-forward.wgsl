// Forward through a pruned dense layer as a sparse x dense product: out = act(in * W + b), W
// held as compressed columns (CSC): output column n's kept weights are entries[ptr[n] ..
// ptr[n + 1]), each (input column k, the weight's index in the flat buffer `w`), so the values
// are the optimizer's own (never copied) and only the structure changes with the masks.
// One thread per row and four output columns; bias and activation in forward's epilogue.
// in: acts[aOff + row * aStride + k]; out: acts[cOff + row * cStride + col].

@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> ptr: array<u32>;
@group(0) @binding(5) var<storage, read> entries: array<vec2<u32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let quads = d.cStride / 4u;
  let t = gid.x + gid.y * nw.x * 256u;
  let row = t / quads;
  if (row >= d.M) { return; }
  let col = (t % quads) * 4u;
  let base = d.aOff + row * d.aStride;
  var v = vec4<f32>(0.0);
  for (var c = 0u; c < 4u; c++) {
    let n = col + c;
    if (n < d.N) {
      var s = 0.0;
      for (var j = ptr[n]; j < ptr[n + 1u]; j++) {
        let e = entries[j];
        s += ld_acts(base + e.x) * ld_w(e.y);
      }
      v[c] = s;
    }
  }
  epilogue(row, col, v);
}
