// Register-blocked matmul core without workgroup memory or barriers: each thread computes a
// 4 x 4 block of C straight from A and B (caches do the sharing). The same contract as
// matmul.wgsl (loadA, loadB, epilogue from the kernel file; Dims; WG x WG threads covering
// TS x TS). Faster where barriers are dear (CPU implementations such as SwiftShader) and on
// small products; the engine times both at start-up and keeps the faster per shape.

struct Dims {
  M: u32, N: u32, K: u32, act: u32,
  aOff: u32, aStride: u32, bOff: u32, bStride: u32,
  cOff: u32, cStride: u32, biasOff: u32, hOff: u32,
  hStride: u32, kA: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(1) var<uniform> d: Dims;

override WG: u32 = 16u;
override TS: u32 = WG * 4u;

@compute @workgroup_size(WG, WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  touch_ctl();
  let r = wid.y * TS + lid.y * 4u;
  let c = wid.x * TS + lid.x * 4u;
  if (r >= d.M || c >= d.N) { return; }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < d.K; k++) {
    let b = vec4<f32>(loadB(k, c), loadB(k, c + 1u), loadB(k, c + 2u), loadB(k, c + 3u));
    acc0 += loadA(r, k) * b;
    acc1 += loadA(r + 1u, k) * b;
    acc2 += loadA(r + 2u, k) * b;
    acc3 += loadA(r + 3u, k) * b;
  }
  epilogue(r, c, acc0);
  epilogue(r + 1u, c, acc1);
  epilogue(r + 2u, c, acc2);
  epilogue(r + 3u, c, acc3);
}
