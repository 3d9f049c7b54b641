// Thread bookkeeping of the kernels that write two values a thread (pool.wgsl, depthwise.wgsl,
// convert.wgsl, prepare.wgsl): a grid of 256-thread workgroups (spread over y past 65535) over
// (row or pixel, value pair) items, and pixel coordinates.

// Item i of the grid: x the first channel of its pair, y its pixel, z 1 when i < pixels x pairs.
fn pairItem(gid: vec3<u32>, nwg: vec3<u32>, pairs: u32, pixels: u32) -> vec3<u32> {
  let i = gid.x + gid.y * nwg.x * 256u;
  return vec3<u32>((i % pairs) * 2u, i / pairs, select(0u, 1u, i < pixels * pairs));
}

// Image, row and column (x, y, z) of pixel p of images of h x w pixels.
fn pixelAt(p: u32, h: u32, w: u32) -> vec3<u32> {
  return vec3<u32>(p / (w * h), (p / w) % h, p % w);
}
