// The loss and its gradient in one pass, one thread per row. Kinds: 0 softmax cross-entropy
// (C logits, label = class index), 1 binary cross-entropy on one logit (label 0 or 1),
// 2 mean squared error (one output). Entry `train`: writes dLoss/dLogits * scale / M into the
// output layer's delta (f32 or f16), and each workgroup's loss sum into lossOut[slot + wg]
// (the host adds them at read-back). Entry `evaluate`: per row, the loss and the prediction
// (class index, or 0/1) into evalOut[2 row], evalOut[2 row + 1]; no gradient.
// Distillation (training only): kinds 3 (softmax) and 4 (binary) are 0 and 1 with the teacher's
// logits after the M labels (labels[M + row C + c]): a CE(labels) + (1 - a) T^2 KL(teacher / T ||
// student / T) (src/core/compress/distill.ts), a binary logit z standing for the classes (z, 0).

struct LossDims {
  M: u32, C: u32, kind: u32, slot: u32,
  off: u32, stride: u32, T: f32, alpha: f32,
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

fn teacher(row: u32, c: u32) -> f32 {
  return labels[ld.M + row * ld.C + c];
}

// log(sigmoid(u)) = -softplus(-u), stable for large |u|.
fn logSigmoid(u: f32) -> f32 {
  return -(max(-u, 0.0) + log1p_(exp(-abs(u))));
}

// Distilled softmax row: the loss, and with `grad` its scaled gradient
// a (p - onehot) + (1 - a) T (softmax(s / T) - softmax(t / T)).
fn distillSoftmax(row: u32, grad: bool, g: f32) -> f32 {
  let T = ld.T;
  let a = ld.alpha;
  let base = ld.off + row * ld.stride;
  let label = u32(labels[row]);
  var m = -3.4e38;
  var ms = -3.4e38;
  var mt = -3.4e38;
  for (var c = 0u; c < ld.C; c++) {
    m = max(m, logit(row, c));
    mt = max(mt, teacher(row, c) / T);
  }
  ms = m / T;
  var s = 0.0;
  var ss = 0.0;
  var st = 0.0;
  for (var c = 0u; c < ld.C; c++) {
    s += exp(logit(row, c) - m);
    ss += exp(logit(row, c) / T - ms);
    st += exp(teacher(row, c) / T - mt);
  }
  let ls = log(ss);
  let lt = log(st);
  var kl = 0.0;
  for (var c = 0u; c < ld.C; c++) {
    let logPt = teacher(row, c) / T - mt - lt;
    let logPs = logit(row, c) / T - ms - ls;
    kl += exp(logPt) * (logPt - logPs);
  }
  if (grad) {
    for (var c = 0u; c < ld.stride; c += 2u) {
      var v = vec2<f32>(0.0);
      for (var k = 0u; k < 2u; k++) {
        let i = c + k;
        if (i < ld.C) {
          let hard = exp(logit(row, i) - m) / s - select(0.0, 1.0, i == label);
          let soft = exp(logit(row, i) / T - ms - ls) - exp(teacher(row, i) / T - mt - lt);
          v[k] = (a * hard + (1.0 - a) * T * soft) * g;
        }
      }
      st2_deltas(base + c, v.x, v.y);
    }
  }
  return a * (m + log(s) - logit(row, label)) + (1.0 - a) * T * T * kl;
}

// Distilled binary row (one logit z for the classes (z, 0); label 1 is z's class).
fn distillBinary(row: u32, grad: bool, g: f32) -> f32 {
  let T = ld.T;
  let a = ld.alpha;
  let y = labels[row];
  let z = logit(row, 0u);
  let zs = z / T;
  let zt = teacher(row, 0u) / T;
  let pt = sigmoid_(zt);
  let kl = pt * (logSigmoid(zt) - logSigmoid(zs)) + (1.0 - pt) * (logSigmoid(-zt) - logSigmoid(-zs));
  let hard = max(z, 0.0) - z * y + log1p_(exp(-abs(z)));
  if (grad) {
    let dz = a * (sigmoid_(z) - y) + (1.0 - a) * T * (sigmoid_(zs) - pt);
    let base = ld.off + row * ld.stride;
    st2_deltas(base, dz * g, 0.0);
    for (var c = 2u; c < ld.stride; c += 2u) { st2_deltas(base + c, 0.0, 0.0); }
  }
  return a * hard + (1.0 - a) * T * T * kl;
}

// Row loss; with `grad`, also writes the scaled gradient of the mean loss into deltas.
fn rowLoss(row: u32, grad: bool, scale: f32) -> f32 {
  let y = labels[row];
  let base = ld.off + row * ld.stride;
  let g = scale / f32(ld.M);
  if (ld.kind == 3u) { return distillSoftmax(row, grad, g); }
  if (ld.kind == 4u) { return distillBinary(row, grad, g); }
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
