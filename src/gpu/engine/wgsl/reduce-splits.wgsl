// Second pass of a weight gradient split along K (epilogue-partial.wgsl): thread i adds up the
// SPLITS partial sums of output i (row i / N, column i % N) in slice order, so the sum does not
// depend on scheduling, and stores it as the unsplit product would (epilogue-dw.wgsl's `put`,
// with its overflow check). Bound with the product's own Dims uniform.

override SPLITS: u32 = 1u;

@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let n = d.M * d.N;
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= n) { return; }
  var s = 0.0;
  for (var z = 0u; z < SPLITS; z++) { s += partials[z * n + i]; }
  let col = i % d.N;
  put(d.cOff + (i / d.N) * d.cStride + col, col, s);
}
