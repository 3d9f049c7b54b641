/**
 * Knowledge distillation (Hinton et al. 2015): a run with the `distill` setting trains a
 * student on a finished run's (the teacher's) logits as well as on the labels, by the loss
 *
 *   L = a * CE(softmax(s), y) + (1 - a) * T^2 * KL(softmax(t / T) || softmax(s / T))
 *
 * per row, averaged over the batch; s the student's logits, t the teacher's, y the label. The
 * T^2 keeps the soft term's gradient on the scale of the hard one's as T grows: its gradient
 * with respect to s is (1 - a) * T * (softmax(s / T) - softmax(t / T)). With one logit (binary
 * classification) the softmaxes are sigmoids over (logit, 0). Regression has no distribution to
 * distil.
 *
 * The data path (services/run-pipeline.ts): the data service encodes the student's training rows
 * the way the teacher was trained to read them (`encodeWithInputs`, the teacher's recorded
 * preprocessing), the trainer runs the teacher over them once (`teacherLogits`), and the batcher
 * carries each row's teacher logits beside its label (`Batch.soft`), so every epoch reuses them.
 * The setting's checks, which the data worker also runs, are in distill-setting.ts (no tfjs).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors';
import type { DistillWeights } from './distill-setting';

export {
  checkTeacher,
  checkTeacherClasses,
  validateDistill,
  validateDistillWeights,
  type DistillWeights,
  type TeacherFacts,
} from './distill-setting';
import type { LossKind } from '../train/loss';
import { createModel } from '../train/model';
import type { TrainedModel } from '../train/trained';

const LOGIT_CHUNK = 1024;

/**
 * The teacher's logits for `rows` rows of its own inputs (`x`, rows x its input width), on the
 * active tfjs backend in chunks: [rows, outputs] row-major.
 */
export async function teacherLogits(teacher: TrainedModel, x: Float32Array, rows: number): Promise<Float32Array> {
  const dim = teacher.preprocessing.dim;
  if (x.length !== rows * dim)
    throw new Error(`the teacher's inputs are ${x.length} values, not ${rows} rows of ${dim} features`);
  const model = createModel(teacher.model, dim, teacher.outputs, 0);
  const out = new Float32Array(rows * teacher.outputs);
  try {
    model.variables.forEach((v, i) => v.assign(tf.tensor(teacher.tensors[i].values, teacher.tensors[i].shape)));
    for (let at = 0; at < rows; at += LOGIT_CHUNK) {
      const n = Math.min(LOGIT_CHUNK, rows - at);
      const logits = tf.tidy(() => model.apply(tf.tensor2d(x.subarray(at * dim, (at + n) * dim), [n, dim])));
      out.set(await logits.data(), at * teacher.outputs);
      logits.dispose();
    }
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new ConfigError(
        'distill.teacher',
        `the teacher gives a non-finite logit (${out[bad]}) for training row ${Math.floor(bad / teacher.outputs)}`,
      );
    return out;
  } finally {
    model.dispose();
  }
}

/** The logits as a two-class softmax's: one logit z stands for (z, 0). */
const asClasses = (kind: LossKind, z: tf.Tensor2D): tf.Tensor2D =>
  kind === 'binary-ce' ? tf.concat([z, tf.zerosLike(z)], 1) : z;

/**
 * The batch's mean distillation loss (a scalar tfjs can differentiate): `student` and `teacher`
 * logits [rows, C] (C = 1 for binary), `y` the labels (class index, or 0/1).
 */
export function distillLoss(
  kind: LossKind,
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  y: tf.Tensor1D,
  w: DistillWeights,
): tf.Scalar {
  if (kind === 'mse')
    throw new ConfigError(
      'distill',
      'distillation needs a classification run (regression has no class distribution to distil)',
    );
  return tf.tidy(() => {
    const s = asClasses(kind, student);
    const t = asClasses(kind, teacher);
    const classes = s.shape[1];
    // binary: label 1 is the logit's class, the first column of (z, 0).
    const labels = kind === 'binary-ce' ? tf.sub(1, y) : y;
    const hard = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(labels, 'int32'), classes), s);
    const logPs = tf.logSoftmax(tf.div(s, w.temperature));
    const logPt = tf.logSoftmax(tf.div(t, w.temperature));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1));
    return tf.add(tf.mul(w.alpha, hard), tf.mul((1 - w.alpha) * w.temperature ** 2, kl)) as tf.Scalar;
  });
}

/**
 * The same loss and its gradient with respect to the student's logits, in float64 (the
 * reference the tests hold the tfjs form and the engines to): `s`, `t` row-major [rows, C].
 */
export function distillLossF64(
  kind: LossKind,
  s: ArrayLike<number>,
  t: ArrayLike<number>,
  y: ArrayLike<number>,
  C: number,
  w: DistillWeights,
): { loss: number; grad: Float64Array } {
  const rows = y.length;
  const K = kind === 'binary-ce' ? 2 : C;
  const grad = new Float64Array(rows * C);
  let loss = 0;
  const softmax = (z: number[]) => {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  for (let r = 0; r < rows; r++) {
    const row = (src: ArrayLike<number>) =>
      kind === 'binary-ce' ? [src[r], 0] : Array.from({ length: C }, (_, i) => src[r * C + i]);
    const sr = row(s);
    const tr = row(t);
    const label = kind === 'binary-ce' ? 1 - y[r] : y[r];
    const p = softmax(sr);
    const ps = softmax(sr.map((v) => v / w.temperature));
    const pt = softmax(tr.map((v) => v / w.temperature));
    let kl = 0;
    for (let i = 0; i < K; i++) if (pt[i] > 0) kl += pt[i] * (Math.log(pt[i]) - Math.log(ps[i]));
    loss += w.alpha * -Math.log(p[label]) + (1 - w.alpha) * w.temperature ** 2 * kl;
    // d/ds_i: a (p_i - [i = label]) + (1 - a) T (ps_i - pt_i); binary: only the logit's column.
    for (let i = 0; i < (kind === 'binary-ce' ? 1 : C); i++) {
      const g = w.alpha * (p[i] - (i === label ? 1 : 0)) + (1 - w.alpha) * w.temperature * (ps[i] - pt[i]);
      grad[r * C + i] = g / rows;
    }
  }
  return { loss: loss / rows, grad };
}
