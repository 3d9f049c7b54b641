// Activation and its derivative from the activation's output y (0 none, 1 relu, 2 tanh, 3 sigmoid).
fn activate(kind: u32, z: f32) -> f32 {
  switch kind {
    case 1u: { return max(z, 0.0); }
    case 2u: { return tanh(z); }
    case 3u: { return 1.0 / (1.0 + exp(-z)); }
    default: { return z; }
  }
}

fn derivative(kind: u32, y: f32) -> f32 {
  switch kind {
    case 1u: { return select(0.0, 1.0, y > 0.0); }
    case 2u: { return 1.0 - y * y; }
    case 3u: { return y * (1.0 - y); }
    default: { return 1.0; }
  }
}
