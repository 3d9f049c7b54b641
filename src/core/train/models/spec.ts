import { ConfigError, shown } from '../errors';
import { cnnOutputSize, dscnnOutputSize } from './output-size';
import { MODEL_TYPES, type Activation, type InputShape, type ModelSpec, type ModelType } from './types';

/** The activations a model may use (the validator's and the stored-run decoder's one list). */
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid'];

export { defaultModelSpec } from './defaults';

/** The settings each model type reads (a config file's or a search's other keys are refused, naming them). */
export const MODEL_KEYS: Readonly<Record<ModelType, readonly string[]>> = {
  mlp: ['type', 'hidden', 'activation'],
  cnn: ['type', 'hidden', 'activation', 'inputShape', 'filters', 'groups'],
  dscnn: ['type', 'hidden', 'activation', 'inputShape', 'stem', 'blocks'],
};

/** The settings of a dscnn block. */
export const BLOCK_KEYS: readonly string[] = ['filters', 'stride'];

const wholeNumber = (v: unknown, field: string, max: number) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    throw new ConfigError(field, `must be a whole number from 1 to ${max}, got ${shown(v)}`);
};
const list = (v: unknown, field: string, maxLength: number, max: number) => {
  if (!Array.isArray(v)) throw new ConfigError(field, `must be a list of whole numbers, got ${shown(v)}`);
  if (v.length > maxLength) throw new ConfigError(field, `has ${v.length} entries; ${maxLength} at most`);
  v.forEach((w, i) => wholeNumber(w, `${field}[${i}]`, max));
};

/** Checks a model spec's structure (not yet against the data); throws a ConfigError naming the field. */
export function validateModelSpec(spec: ModelSpec): ModelSpec {
  const s = spec as Partial<ModelSpec> & { type?: unknown };
  if (!MODEL_TYPES.includes(s.type as ModelType))
    throw new ConfigError(
      'model.type',
      `${s.type === undefined ? 'is missing' : `${shown(s.type)} is unknown`} (choose one of ${MODEL_TYPES.join(', ')})`,
    );
  if (!ACTIVATIONS.includes(spec.activation))
    throw new ConfigError(
      'model.activation',
      `${spec.activation === undefined ? 'is missing' : `${shown(spec.activation)} is unknown`} (choose one of ${ACTIVATIONS.join(', ')})`,
    );
  list(spec.hidden, 'model.hidden', 16, 65_536);
  if (spec.type === 'mlp') return spec;
  if (spec.inputShape !== undefined) {
    if (!Array.isArray(spec.inputShape) || spec.inputShape.length !== 3) {
      throw new ConfigError('model.inputShape', `must be [height, width, channels], got ${shown(spec.inputShape)}`);
    }
    spec.inputShape.forEach((v, i) => wholeNumber(v, `model.inputShape[${i}]`, 4096));
  }
  if (spec.type === 'cnn') {
    list(spec.filters, 'model.filters', 8, 4096);
    if (spec.filters.length === 0) throw new ConfigError('model.filters', 'needs at least one convolution block');
    if (spec.groups !== undefined) {
      list(spec.groups, 'model.groups', 8, 4096);
      if (spec.groups.length !== spec.filters.length)
        throw new ConfigError(
          'model.groups',
          `has ${spec.groups.length} entries for ${spec.filters.length} convolution blocks; give one per block`,
        );
      // Block 0's input channels are the image's: checked once the input shape is known.
      spec.groups.forEach((g, i) => i > 0 && checkGroups(g, i, spec.filters[i - 1], spec.filters[i]));
    }
  } else {
    wholeNumber(spec.stem, 'model.stem', 4096);
    if (!Array.isArray(spec.blocks) || spec.blocks.length > 16)
      throw new ConfigError('model.blocks', 'must be a list of at most 16 { filters, stride } blocks');
    spec.blocks.forEach((b, i) => {
      wholeNumber(b?.filters, `model.blocks[${i}].filters`, 4096);
      if (b.stride !== 1 && b.stride !== 2)
        throw new ConfigError(`model.blocks[${i}].stride`, `must be 1 or 2, got ${shown(b.stride)}`);
    });
  }
  if (spec.inputShape) checkSpatial(spec, spec.inputShape);
  return spec;
}

function checkGroups(groups: number, block: number, cin: number, cout: number): void {
  if (cin % groups || cout % groups)
    throw new ConfigError(
      `model.groups[${block}]`,
      `${groups} groups do not divide block ${block}'s ${cin} input and ${cout} output channels`,
    );
}

function checkSpatial(spec: Exclude<ModelSpec, { type: 'mlp' }>, shape: InputShape): void {
  if (spec.type === 'cnn') {
    if (spec.groups) checkGroups(spec.groups[0], 0, shape[2], spec.filters[0]);
    const [h, w] = cnnOutputSize(shape, spec.filters.length);
    if (h < 1 || w < 1) {
      throw new ConfigError(
        'model.filters',
        `${spec.filters.length} pooling blocks halve ${shape[0]}x${shape[1]} to nothing; ` +
          `use at most ${Math.floor(Math.log2(Math.min(shape[0], shape[1])))}`,
      );
    }
  } else {
    dscnnOutputSize(shape, spec); // 'same' padding never reaches zero
  }
}

/** Infers [h, w, c] from a feature count: a square image with 1 or 3 channels, or null. */
export function inferInputShape(features: number): InputShape | null {
  for (const c of [1, 3]) {
    if (features % c) continue;
    const side = Math.round(Math.sqrt(features / c));
    if (side * side * c === features) return [side, side, c];
  }
  return null;
}

const fmt = (s: InputShape) => `${s[0]}x${s[1]}x${s[2]}`;

/**
 * Fits a spec to the data: fills in an image model's input shape from the feature count, or
 * refuses a shape whose h*w*c is not the number of features per row.
 */
export function resolveModelSpec(spec: ModelSpec, features: number): ModelSpec {
  validateModelSpec(spec);
  if (spec.type === 'mlp') return spec;
  if (spec.inputShape) {
    const n = spec.inputShape[0] * spec.inputShape[1] * spec.inputShape[2];
    if (n !== features) {
      throw new ConfigError(
        'model.inputShape',
        `${fmt(spec.inputShape)} is ${n} values per row, but the data has ${features} feature values per row`,
      );
    }
    return spec;
  }
  const inferred = inferInputShape(features);
  if (!inferred) {
    throw new ConfigError(
      'model.inputShape',
      `is not given and ${features} feature values per row are not a square image with 1 or 3 channels; set ` +
        `it to [height, width, channels]`,
    );
  }
  checkSpatial(spec, inferred);
  return { ...spec, inputShape: inferred };
}
