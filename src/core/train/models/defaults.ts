/**
 * The default spec of each model type, in a module of its own with no tfjs in its imports: the
 * Run form (main thread) and the validators share it.
 */
import type { InputShape, ModelSpec, ModelType } from './types';

/** The default spec of each model type (the image models for MNIST-sized inputs unless given a shape). */
export function defaultModelSpec(type: ModelType, inputShape?: InputShape): ModelSpec {
  switch (type) {
    case 'mlp':
      return { type, hidden: [32, 32], activation: 'relu' };
    case 'cnn':
      return { type, ...(inputShape ? { inputShape } : {}), filters: [8, 16], hidden: [], activation: 'relu' };
    case 'dscnn':
      return {
        type,
        ...(inputShape ? { inputShape } : {}),
        stem: 8,
        blocks: [
          { filters: 16, stride: 2 },
          { filters: 32, stride: 2 },
        ],
        hidden: [],
        activation: 'relu',
      };
  }
}
