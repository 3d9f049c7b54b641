import type { OptimizerSpec } from '../optimizer-spec';
import { referenceClip } from './clip';
import { referenceRate } from './schedule';

/**
 * Float64 plain-TypeScript reference of every optimizer, element by element, written from the
 * papers' update rules independently of the tfjs code. It expects a spec with every default
 * written out (the output of `validateOptimizerSpec`). `step` updates `params` in place.
 */
export class ReferenceOptimizer {
  private readonly spec: OptimizerSpec;
  private done = 0;
  private a: Float64Array[] = []; // first slot: velocity / mean square / m
  private b: Float64Array[] = []; // second slot: Adam's v
  private slow: Float64Array[] | null = null;
  /** Smallest |c| / (|b1 m| + |(1 - b1) g|) seen by Lion's sign, to show the sign was never ambiguous. */
  lionMargin = Infinity;
  /** Global norm before clipping at the latest step. */
  lastNorm = NaN;

  constructor(spec: OptimizerSpec) {
    this.spec = spec;
  }

  /** Learning rate the latest step used. */
  lastRate = NaN;

  step(params: Float64Array[], rawGrads: readonly Float64Array[]): void {
    const s = this.spec;
    if (this.a.length === 0) {
      this.a = params.map((p) => new Float64Array(p.length));
      this.b = params.map((p) => new Float64Array(p.length));
      if (s.lookahead) this.slow = params.map((p) => Float64Array.from(p));
    }
    let grads: Float64Array[] = rawGrads.map((g) => Float64Array.from(g));
    if (s.clipNorm != null) {
      const c = referenceClip(grads, s.clipNorm);
      grads = c.grads;
      this.lastNorm = c.norm;
    }
    const lr = referenceRate(s.learningRate, s.schedule ?? { type: 'constant' }, this.done);
    this.lastRate = lr;
    this.done += 1;
    const t = this.done;
    const wd = s.weightDecay as number;
    params.forEach((p, j) => {
      const g = grads[j];
      const a = this.a[j];
      const b = this.b[j];
      for (let i = 0; i < p.length; i++) {
        const gi = s.name === 'adamw' || s.name === 'lion' ? g[i] : g[i] + wd * p[i];
        switch (s.name) {
          case 'sgd':
            p[i] -= lr * gi;
            break;
          case 'momentum':
            a[i] = (s.momentum as number) * a[i] + gi;
            p[i] -= lr * a[i];
            break;
          case 'nesterov': {
            const mu = s.momentum as number;
            a[i] = mu * a[i] + gi;
            p[i] -= lr * (gi + mu * a[i]);
            break;
          }
          case 'rmsprop': {
            const rho = s.rho as number;
            a[i] = rho * a[i] + (1 - rho) * gi * gi;
            p[i] -= (lr * gi) / (Math.sqrt(a[i]) + (s.epsilon as number));
            break;
          }
          case 'adam':
          case 'adamw': {
            const b1 = s.beta1 as number;
            const b2 = s.beta2 as number;
            a[i] = b1 * a[i] + (1 - b1) * gi;
            b[i] = b2 * b[i] + (1 - b2) * gi * gi;
            const mHat = a[i] / (1 - b1 ** t);
            const vHat = b[i] / (1 - b2 ** t);
            const decay = s.name === 'adamw' ? wd * p[i] : 0;
            p[i] -= lr * (mHat / (Math.sqrt(vHat) + (s.epsilon as number)) + decay);
            break;
          }
          case 'lion': {
            const b1 = s.beta1 as number;
            const b2 = s.beta2 as number;
            const c = b1 * a[i] + (1 - b1) * gi;
            const scale = Math.abs(b1 * a[i]) + Math.abs((1 - b1) * gi);
            if (scale > 0) this.lionMargin = Math.min(this.lionMargin, Math.abs(c) / scale);
            p[i] -= lr * (Math.sign(c) + wd * p[i]);
            a[i] = b2 * a[i] + (1 - b2) * gi;
            break;
          }
        }
      }
    });
    if (this.slow && s.lookahead && t % s.lookahead.k === 0) {
      const alpha = s.lookahead.alpha;
      params.forEach((p, j) => {
        const slow = (this.slow as Float64Array[])[j];
        for (let i = 0; i < p.length; i++) {
          slow[i] += alpha * (p[i] - slow[i]);
          p[i] = slow[i];
        }
      });
    }
  }
}
