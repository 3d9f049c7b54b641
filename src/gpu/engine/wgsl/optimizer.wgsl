// One optimizer step over the whole flat parameter buffer, two parameters per thread.
// RULE (override, so each rule compiles to its own kernel): 0 sgd, 1 momentum, 2 nesterov,
// 3 rmsprop, 4 adam, 5 adamw, 6 lion; the formulas are the tfjs engine's (src/core/train/optimizers).
// Slots live in `slots` at s * P; Lookahead's slow weights after them. Gradients arrive
// multiplied by the loss scale (1 in fp32); clipping by global norm reads the 64 partial sums
// of squares that norm.wgsl left. In fp16-mixed runs a raised overflow flag skips the whole
// step, and the new weights are also written as the float16 copy the matmuls read.
// PRUNE: a weight whose bit in `keep` is 0 has no gradient and is set to zero after its update
// (pruning masks, src/core/compress/prune.ts; the bits cover the flat buffer, biases and padding
// always 1).

struct Opt {
  lr: f32, beta1: f32, beta2: f32, eps: f32,
  wd: f32, momentum: f32, clipNorm: f32, laAlpha: f32,
  P: u32, laK: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(1) var<uniform> o: Opt;
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read> grads: array<f32>;
@group(0) @binding(4) var<storage, read_write> slots: array<f32>;
@group(0) @binding(5) var<storage, read> partials: array<f32>;
@group(0) @binding(6) var<storage, read_write> wcopy: array<ELEM>;
@group(0) @binding(7) var<storage, read> keep: array<u32>;

override RULE: u32 = 0u;
override CLIP: bool = false;
override LOOKAHEAD: bool = false;
override MIXED: bool = false;
override PRUNE: bool = false;

var<workgroup> red: array<f32, 64>;

fn update(i: u32, gScaled: f32, f: f32, t: u32) -> f32 {
  let P = o.P;
  var p = params[i];
  var g = gScaled * f;
  // A pruned weight has no gradient (the forward pass sees weight * mask); its slots decay.
  let pruned = PRUNE && ((keep[i >> 5u] >> (i & 31u)) & 1u) == 0u;
  if (pruned) { g = 0.0; }
  if (RULE <= 4u && o.wd != 0.0) { g += o.wd * p; }
  var step: f32;
  switch RULE {
    case 0u: { step = g; }
    case 1u, 2u: {
      let v = o.momentum * slots[i] + g;
      slots[i] = v;
      step = select(v, g + o.momentum * v, RULE == 2u);
    }
    case 3u: {
      let sq = o.beta2 * slots[i] + (1.0 - o.beta2) * g * g;
      slots[i] = sq;
      step = g / (sqrt(sq) + o.eps);
    }
    case 4u, 5u: {
      let m = o.beta1 * slots[i] + (1.0 - o.beta1) * g;
      let v = o.beta2 * slots[P + i] + (1.0 - o.beta2) * g * g;
      slots[i] = m;
      slots[P + i] = v;
      let mHat = m / (1.0 - pow(o.beta1, f32(t)));
      let vHat = v / (1.0 - pow(o.beta2, f32(t)));
      step = mHat / (sqrt(vHat) + o.eps);
      if (RULE == 5u) { step += o.wd * p; }
    }
    default: {
      let m = slots[i];
      step = sign(o.beta1 * m + (1.0 - o.beta1) * g) + o.wd * p;
      slots[i] = o.beta2 * m + (1.0 - o.beta2) * g;
    }
  }
  p = p - o.lr * step;
  if (LOOKAHEAD && t % o.laK == 0u) {
    let at = SLOW * P + i;
    let slow = slots[at] + o.laAlpha * (p - slots[at]);
    slots[at] = slow;
    p = slow;
  }
  if (pruned) { p = 0.0; }
  params[i] = p;
  return p;
}

override SLOW: u32 = 0u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  if (CLIP) {
    if (lid.x < 64u) { red[lid.x] = partials[lid.x]; }
    workgroupBarrier();
    for (var s = 32u; s > 0u; s >>= 1u) {
      if (lid.x < s) { red[lid.x] += red[lid.x + s]; }
      workgroupBarrier();
    }
  }
  let scale = loss_scale();
  if (MIXED && atomicLoad(&ctl.overflow) != 0u) { return; }
  let inv = 1.0 / scale;
  var f = inv;
  if (CLIP) {
    let norm = sqrt(red[0]) * inv;
    f = inv * (o.clipNorm / max(norm, o.clipNorm));
  }
  let t = ctl.t + 1u;
  let i = gid.x * 2u;
  if (i >= o.P) { return; }
  let a = update(i, grads[i], f, t);
  let b = update(i + 1u, grads[i + 1u], f, t);
  if (MIXED) { st2c_wcopy(i, a, b); }
}
