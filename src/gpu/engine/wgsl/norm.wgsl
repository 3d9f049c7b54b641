// Sum of squares of the gradients in 64 partial sums (64 workgroups, grid-stride), for
// clipping by global norm without a read-back: the optimizer adds the partials. Pruned
// weights' gradients are left out (they are zero: the weight is multiplied by its mask).

struct NormDims { P: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(1) var<uniform> nd: NormDims;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
// PRUNE: a pruned weight's gradient counts as zero (bits as in optimizer.wgsl).
@group(0) @binding(4) var<storage, read> keep: array<u32>;

override PRUNE: bool = false;

var<workgroup> acc: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  var s = 0.0;
  for (var i = wid.x * 256u + lid.x; i < nd.P; i += 64u * 256u) {
    var g = grads[i];
    if (PRUNE && ((keep[i >> 5u] >> (i & 31u)) & 1u) == 0u) { g = 0.0; }
    s += g * g;
  }
  acc[lid.x] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid.x < k) { acc[lid.x] += acc[lid.x + k]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partials[wid.x] = acc[0]; }
}
