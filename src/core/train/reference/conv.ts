/**
 * A 2-D convolution over NHWC images in float64, written out as plain loops: the reference the
 * WGSL engine's convolution kernels are tested against. W is [ks, ks, C / groups, CO] (one row of
 * CO per tap and input channel of a group, the engine's layout); padding is zeros; out = conv +
 * bias (no activation here: the kernels' epilogues are checked by applying it to this result).
 * Grouped (ResNeXt): output channel co belongs to group floor(co / (CO / groups)) and sees only
 * that group's C / groups input channels.
 */
export interface ConvShape {
  n: number;
  h: number;
  w: number;
  c: number;
  co: number;
  ks: number;
  stride: number;
  pad: number;
  /** Default 1; divides c and co. */
  groups?: number;
}

/** Output height and width of a convolution. */
export function convOut(s: ConvShape): { oh: number; ow: number } {
  return {
    oh: Math.floor((s.h + 2 * s.pad - s.ks) / s.stride) + 1,
    ow: Math.floor((s.w + 2 * s.pad - s.ks) / s.stride) + 1,
  };
}

/** Visits every (output pixel, tap, input channel, output channel) with the input index it reads. */
function eachTap(s: ConvShape, visit: (outAt: number, inAt: number, wAt: number) => void): void {
  const { oh, ow } = convOut(s);
  const groups = s.groups ?? 1;
  const [cg, cog] = [s.c / groups, s.co / groups];
  for (let n = 0; n < s.n; n++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const outPixel = (n * oh + y) * ow + x;
        for (let kh = 0; kh < s.ks; kh++) {
          for (let kw = 0; kw < s.ks; kw++) {
            const ih = y * s.stride + kh - s.pad;
            const iw = x * s.stride + kw - s.pad;
            if (ih < 0 || iw < 0 || ih >= s.h || iw >= s.w) continue;
            const inPixel = (n * s.h + ih) * s.w + iw;
            for (let co = 0; co < s.co; co++) {
              const first = Math.floor(co / cog) * cg;
              for (let cig = 0; cig < cg; cig++)
                visit(outPixel * s.co + co, inPixel * s.c + first + cig, ((kh * s.ks + kw) * cg + cig) * s.co + co);
            }
          }
        }
      }
    }
  }
}

/** conv(x, W) + b: [n, oh, ow, co]. */
export function convForward(
  s: ConvShape,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
): Float64Array {
  const { oh, ow } = convOut(s);
  const out = new Float64Array(s.n * oh * ow * s.co);
  for (let i = 0; i < out.length; i++) out[i] = b[i % s.co];
  eachTap(s, (o, i, k) => (out[o] += x[i] * w[k]));
  return out;
}

/** Gradients of sum(dOut . out) with respect to the input, the weights and the bias. */
export function convBackward(
  s: ConvShape,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dOut: ArrayLike<number>,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(s.n * s.h * s.w * s.c);
  const dw = new Float64Array((s.ks * s.ks * s.c * s.co) / (s.groups ?? 1));
  const db = new Float64Array(s.co);
  for (let i = 0; i < dOut.length; i++) db[i % s.co] += dOut[i];
  eachTap(s, (o, i, k) => {
    dx[i] += dOut[o] * w[k];
    dw[k] += dOut[o] * x[i];
  });
  return { dx, dw, db };
}

/**
 * 2x2 max-pool, stride 2, valid ([n, h/2, w/2, c], floors), and its gradient: each window's
 * output gradient goes to its first maximum in row-major order, every other input gets zero.
 */
export function maxPool(
  s: Pick<ConvShape, 'n' | 'h' | 'w' | 'c'>,
  x: ArrayLike<number>,
  dOut?: ArrayLike<number>,
): { out: Float64Array; dx: Float64Array } {
  const oh = Math.floor(s.h / 2);
  const ow = Math.floor(s.w / 2);
  const out = new Float64Array(s.n * oh * ow * s.c);
  const dx = new Float64Array(s.n * s.h * s.w * s.c);
  for (let n = 0; n < s.n; n++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let c = 0; c < s.c; c++) {
          let best = -Infinity;
          let at = -1;
          for (let k = 0; k < 4; k++) {
            const i = ((n * s.h + 2 * y + (k >> 1)) * s.w + 2 * xx + (k & 1)) * s.c + c;
            if (x[i] > best) [best, at] = [x[i], i];
          }
          const o = ((n * oh + y) * ow + xx) * s.c + c;
          out[o] = best;
          if (dOut) dx[at] = dOut[o];
        }
      }
    }
  }
  return { out, dx };
}

/** A depthwise convolution (one ks x ks filter per channel, W [ks, ks, c]) + bias: [n, oh, ow, c]. */
export function depthwiseForward(
  s: Omit<ConvShape, 'co'>,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
): Float64Array {
  const { oh, ow } = convOut({ ...s, co: s.c });
  const out = new Float64Array(s.n * oh * ow * s.c);
  eachDepthwiseTap(s, (o, i, k) => (out[o] += x[i] * w[k]));
  for (let i = 0; i < out.length; i++) out[i] += b[i % s.c];
  return out;
}

/** Gradients of sum(dOut . depthwise(x)) with respect to x, W and the bias. */
export function depthwiseBackward(
  s: Omit<ConvShape, 'co'>,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dOut: ArrayLike<number>,
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(s.n * s.h * s.w * s.c);
  const dw = new Float64Array(s.ks * s.ks * s.c);
  const db = new Float64Array(s.c);
  for (let i = 0; i < dOut.length; i++) db[i % s.c] += dOut[i];
  eachDepthwiseTap(s, (o, i, k) => {
    dx[i] += dOut[o] * w[k];
    dw[k] += dOut[o] * x[i];
  });
  return { dx, dw, db };
}

function eachDepthwiseTap(s: Omit<ConvShape, 'co'>, visit: (outAt: number, inAt: number, wAt: number) => void): void {
  const { oh, ow } = convOut({ ...s, co: s.c });
  for (let n = 0; n < s.n; n++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        for (let kh = 0; kh < s.ks; kh++)
          for (let kw = 0; kw < s.ks; kw++) {
            const ih = y * s.stride + kh - s.pad;
            const iw = x * s.stride + kw - s.pad;
            if (ih < 0 || iw < 0 || ih >= s.h || iw >= s.w) continue;
            for (let c = 0; c < s.c; c++)
              visit(
                ((n * oh + y) * ow + x) * s.c + c,
                ((n * s.h + ih) * s.w + iw) * s.c + c,
                (kh * s.ks + kw) * s.c + c,
              );
          }
}

/** Global average pooling, [n, c], and its gradient spread evenly over each image's pixels. */
export function averagePool(
  s: Pick<ConvShape, 'n' | 'h' | 'w' | 'c'>,
  x: ArrayLike<number>,
  dOut: ArrayLike<number>,
): { out: Float64Array; dx: Float64Array } {
  const hw = s.h * s.w;
  const out = new Float64Array(s.n * s.c);
  const dx = new Float64Array(s.n * hw * s.c);
  for (let n = 0; n < s.n; n++)
    for (let p = 0; p < hw; p++)
      for (let c = 0; c < s.c; c++) {
        out[n * s.c + c] += x[(n * hw + p) * s.c + c] / hw;
        dx[(n * hw + p) * s.c + c] = dOut[n * s.c + c] / hw;
      }
  return { out, dx };
}
