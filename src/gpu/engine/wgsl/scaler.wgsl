// Ends a step (one thread): counts the update, and in fp16-mixed runs applies PyTorch
// GradScaler's rule: after an overflow (the step was skipped) halve the scale and restart the
// count of clean steps; after INTERVAL clean steps in a row double it (if that stays finite).

override MIXED: bool = false;
override INTERVAL: u32 = 2000u;

@compute @workgroup_size(1)
fn main() {
  let overflow = atomicLoad(&ctl.overflow);
  if (MIXED && overflow != 0u) {
    ctl.scale = ctl.scale * 0.5;
    ctl.good = 0u;
    ctl.skipped += 1u;
  } else {
    ctl.t += 1u;
    if (MIXED) {
      ctl.good += 1u;
      if (ctl.good >= INTERVAL) {
        let grown = ctl.scale * 2.0;
        if ((bitcast<u32>(grown) & 0x7f800000u) != 0x7f800000u) { ctl.scale = grown; }
        ctl.good = 0u;
      }
    }
  }
  atomicStore(&ctl.overflow, 0u);
}
