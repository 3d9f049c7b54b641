// The loss and its gradient in one pass, one thread per row. Kinds: 0 softmax cross-entropy
// (C logits, label = class index), 1 binary cross-entropy on one logit (label 0 or 1),
// 2 mean squared error (one output). Entry `train`: writes dLoss/dLogits * scale / M into the
// output layer's delta (f32 or f16), and each workgroup's loss sum into lossOut[slot + wg]
// (the host adds them at read-back). Entry `evaluate`: per row, the loss and the prediction
// (class index, or 0/1) into evalOut[2 row], evalOut[2 row + 1]; no gradient.

struct LossDims {
  M: u32, C: u32, kind: u32, slot: u32,
  off: u32, stride: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(1) var<uniform> ld: LossDims;
@group(0) @binding(2) var<storage, read> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> labels: array<f32>;
@group(0) @binding(4) var<storage, read_write> deltas: array<ELEM>;
@group(0) @binding(5) var<storage, read_write> lossOut: array<f32>;

const WGL: u32 = 64u;
var<workgroup> partial: array<f32, WGL>;

// log(1 + x) without losing the small x (Goldberg's trick).
fn log1p_(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}

fn sigmoid_(z: f32) -> f32 {
  if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
  let e = exp(z);
  return e / (1.0 + e);
}

fn logit(row: u32, c: u32) -> f32 {
  return ld_acts(ld.off + row * ld.stride + c);
}

// Row loss; with `grad`, also writes the scaled gradient of the mean loss into deltas.
fn rowLoss(row: u32, grad: bool, scale: f32) -> f32 {
  let y = labels[row];
  let base = ld.off + row * ld.stride;
  let g = scale / f32(ld.M);
  if (ld.kind == 0u) {
    var m = -3.4e38;
    for (var c = 0u; c < ld.C; c++) { m = max(m, logit(row, c)); }
    var s = 0.0;
    for (var c = 0u; c < ld.C; c++) { s += exp(logit(row, c) - m); }
    let label = u32(y);
    if (grad) {
      for (var c = 0u; c < ld.stride; c += 2u) {
        var a = 0.0;
        var b = 0.0;
        if (c < ld.C) { a = (exp(logit(row, c) - m) / s - select(0.0, 1.0, c == label)) * g; }
        if (c + 1u < ld.C) { b = (exp(logit(row, c + 1u) - m) / s - select(0.0, 1.0, c + 1u == label)) * g; }
        st2_deltas(base + c, a, b);
      }
    }
    return m + log(s) - logit(row, label);
  }
  let z = logit(row, 0u);
  var loss: f32;
  var dz: f32;
  if (ld.kind == 1u) {
    loss = max(z, 0.0) - z * y + log1p_(exp(-abs(z)));
    dz = sigmoid_(z) - y;
  } else {
    loss = (z - y) * (z - y);
    dz = 2.0 * (z - y);
  }
  if (grad) {
    st2_deltas(base, dz * g, 0.0);
    for (var c = 2u; c < ld.stride; c += 2u) { st2_deltas(base + c, 0.0, 0.0); }
  }
  return loss;
}

@compute @workgroup_size(WGL)
fn train(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x * WGL + lid.x;
  let scale = loss_scale();
  var loss = 0.0;
  if (row < ld.M) { loss = rowLoss(row, true, scale); }
  partial[lid.x] = loss;
  workgroupBarrier();
  for (var s = WGL / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { partial[lid.x] += partial[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { lossOut[ld.slot + wid.x] = partial[0]; }
}

@compute @workgroup_size(WGL)
fn evaluate(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= ld.M) { return; }
  let loss = rowLoss(row, false, 1.0);
  var predicted = 0.0;
  if (ld.kind == 0u) {
    var best = logit(row, 0u);
    for (var c = 1u; c < ld.C; c++) {
      let v = logit(row, c);
      if (v > best) { best = v; predicted = f32(c); }
    }
  } else if (ld.kind == 1u) {
    predicted = select(0.0, 1.0, logit(row, 0u) > 0.0);
  }
  lossOut[2u * row] = loss;
  lossOut[2u * row + 1u] = predicted;
}
