import type * as tf from '@tensorflow/tfjs';
import type { Activation } from './init';

export type { Activation } from './init';

/** Height, width and channels of an image row (a row of h*w*c features, channels last). */
export type InputShape = [number, number, number];

/** A multi-layer perceptron: `hidden` widths with one activation, then a linear output. */
export interface MlpSpec {
  type: 'mlp';
  hidden: number[];
  activation: Activation;
}

/**
 * A small CNN: per entry of `filters`, a 3x3 convolution (same padding) -> activation ->
 * 2x2 max-pool (stride 2); then the flattened map through `hidden` dense layers to the output.
 */
export interface CnnSpec {
  type: 'cnn';
  /** [h, w, c]; when left out it is inferred from the feature count (square, 1 or 3 channels). */
  inputShape?: InputShape;
  filters: number[];
  /**
   * Grouped convolutions (ResNeXt), one entry per block (default 1 each): block i's channels are
   * split into groups[i] groups, each output channel seeing only its group's input channels. Each
   * must divide the block's input and output channels.
   */
  groups?: number[];
  hidden: number[];
  activation: Activation;
}

/**
 * A depthwise-separable CNN (MobileNet v1 style): a 3x3 stem convolution, then blocks of
 * depthwise 3x3 (with the block's stride) -> activation -> pointwise 1x1 -> activation, global
 * average pooling, `hidden` dense layers and the output.
 */
export interface DscnnSpec {
  type: 'dscnn';
  inputShape?: InputShape;
  /** Channels of the stem convolution (3x3, stride 1). */
  stem: number;
  blocks: { filters: number; stride: 1 | 2 }[];
  hidden: number[];
  activation: Activation;
}

export type ModelSpec = MlpSpec | CnnSpec | DscnnSpec;
export type ModelType = ModelSpec['type'];
export const MODEL_TYPES: readonly ModelType[] = ['mlp', 'cnn', 'dscnn'];

/** Sees the input of weight layer `layer` of a forward pass; returns what the layer gets. */
export type LayerInputHook = <T extends tf.Tensor>(input: T, layer: number) => T;

/** The hook of one forward pass, numbering the layers as they come (identity without a hook). */
export function layerInputs(before: LayerInputHook | undefined): <T extends tf.Tensor>(t: T) => T {
  let layer = 0;
  return before ? (t) => before(t, layer++) : (t) => t;
}

/** Trainable parameters plus the forward pass. */
export interface Model {
  readonly variables: tf.Variable[];
  /**
   * Logits (classification) or predictions (regression), shape [batch, outputs]; rows arrive flat.
   * `before`, when given, sees (and may replace) the input of each weight layer, convolutions and
   * dense layers in order, numbered from 0: how activations are calibrated and fake-quantized
   * (core/compress/quantize.ts). Training never passes it.
   */
  apply(x: tf.Tensor2D, before?: LayerInputHook): tf.Tensor2D;
  /** Number of trainable scalars. */
  readonly parameterCount: number;
  dispose(): void;
}
