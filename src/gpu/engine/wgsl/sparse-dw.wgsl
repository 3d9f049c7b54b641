// Weight gradients of a pruned dense layer at the kept positions only, and its bias gradient:
// thread j < nnz takes entry j of the layer's CSC list (input column k, flat index f; its output
// column is n = f - cOff - k * cStride) and writes grads[f] = sum over the batch rows m < K of
// in[m, k] * dOut[m, n]; the N threads after them write the bias row (kA) as column sums of
// dOut. Pruned positions are never written: the optimizer and norm kernels read them as zero.
// in: acts[aOff + m * aStride + k]; dOut: deltas[bOff + m * bStride + n]. In fp16-mixed runs a
// non-finite gradient raises the overflow flag (dw's epilogue rule).

@group(0) @binding(2) var<storage, read> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> deltas: array<ELEM>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;
@group(0) @binding(5) var<storage, read> entries: array<vec2<u32>>;

struct SparseDims { nnz: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(6) var<uniform> sd: SparseDims;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let t = gid.x + gid.y * nw.x * 256u;
  if (t < sd.nnz) {
    let e = entries[t];
    let n = e.y - d.cOff - e.x * d.cStride;
    var s = 0.0;
    for (var m = 0u; m < d.K; m++) {
      s += ld_acts(d.aOff + m * d.aStride + e.x) * ld_deltas(d.bOff + m * d.bStride + n);
    }
    check_finite(s);
    grads[e.y] = s;
    return;
  }
  let n = t - sd.nnz;
  if (n >= d.N) { return; }
  var s = 0.0;
  for (var m = 0u; m < d.K; m++) { s += ld_deltas(d.bOff + m * d.bStride + n); }
  check_finite(s);
  grads[d.cOff + d.kA * d.cStride + n] = s;
}
