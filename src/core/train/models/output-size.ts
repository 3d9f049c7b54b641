/** Spatial sizes of the image models' feature maps, from the spec alone (no tfjs: the spec checks and exports use them). */
import type { DscnnSpec, InputShape } from './types';

/** Spatial size after `blocks` 2x2 max-pools with stride 2 and 'valid' padding (floor halving). */
export function cnnOutputSize(shape: InputShape, blocks: number): [number, number] {
  let [h, w] = shape;
  for (let i = 0; i < blocks; i++) {
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  return [h, w];
}

/** Spatial size after the blocks' strides ('same' padding: ceil division). */
export function dscnnOutputSize(shape: InputShape, spec: Pick<DscnnSpec, 'blocks'>): [number, number] {
  let [h, w] = shape;
  for (const b of spec.blocks) {
    h = Math.ceil(h / b.stride);
    w = Math.ceil(w / b.stride);
  }
  return [h, w];
}
