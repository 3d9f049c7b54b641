/** Model specs and builders: an MLP for tables, a small CNN and a depthwise-separable CNN for images. */
import { createCnn } from './models/cnn';
import { createDscnn } from './models/dscnn';
import { createMlp } from './models/mlp';
import { resolveModelSpec } from './models/spec';
import type { Model, ModelSpec } from './models/types';

export type { Activation, CnnSpec, DscnnSpec, InputShape, MlpSpec, Model, ModelSpec, ModelType } from './models/types';
export { MODEL_TYPES } from './models/types';
export {
  ACTIVATIONS,
  BLOCK_KEYS,
  MODEL_KEYS,
  defaultModelSpec,
  inferInputShape,
  resolveModelSpec,
  validateModelSpec,
} from './models/spec';
export { createMlp } from './models/mlp';
export { createCnn } from './models/cnn';
export { createDscnn } from './models/dscnn';

/**
 * Builds the model a spec describes for rows of `inputs` features. Image models read each row
 * as an [h, w, c] image (channels last); a shape that does not fit `inputs` is a ConfigError.
 */
export function createModel(spec: ModelSpec, inputs: number, outputs: number, seed: number): Model {
  const s = resolveModelSpec(spec, inputs);
  if (s.type === 'mlp') return createMlp(s, inputs, outputs, seed);
  if (s.type === 'cnn') return createCnn(s, s.inputShape!, outputs, seed);
  return createDscnn(s, s.inputShape!, outputs, seed);
}
