// Copies float32 rows into the activation format (float32, or float16 in fp16-mixed runs) with
// a padded row stride, two values per thread: the batch into the input activations, and the
// master weights into their float16 copy. Columns from `cols` to the stride are zeros.

struct ConvDims { rows: u32, cols: u32, srcOff: u32, srcStride: u32, dstOff: u32, dstStride: u32, _p0: u32, _p1: u32 }

@group(0) @binding(1) var<uniform> cd: ConvDims;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<ELEM>;

fn at(row: u32, col: u32) -> f32 {
  if (col >= cd.cols) { return 0.0; }
  return src[cd.srcOff + row * cd.srcStride + col];
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  touch_ctl();
  let t = pairItem(gid, nwg, cd.dstStride / 2u, cd.rows);
  if (t.z == 0u) { return; }
  st2_dst(cd.dstOff + t.y * cd.dstStride + t.x, at(t.y, t.x), at(t.y, t.x + 1u));
}
