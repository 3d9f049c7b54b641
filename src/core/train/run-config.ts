import type { BackendName, RunConfig } from './record';
import type { MlpSpec } from './model';

/** The settings a user picks for a run (the data part is filled in from the loaded dataset). */
export interface RunSettings {
  model: MlpSpec;
  optimizer: { name: string; learningRate: number };
  batchSize: number;
  epochs: number;
  seed: number;
  backend: BackendName;
  prefetch: number;
}

export const DEFAULT_SETTINGS: RunSettings = {
  model: { type: 'mlp', hidden: [32, 32], activation: 'relu' },
  optimizer: { name: 'adam', learningRate: 0.01 },
  batchSize: 32,
  epochs: 10,
  seed: 1,
  backend: 'webgpu',
  prefetch: 4,
};

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw', 'lion'] as const;
export const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** An invalid run configuration; the message names the field and what is wrong. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Checks user settings before anything starts; throws a SettingsError naming the field. */
export function validateSettings(s: RunSettings): RunSettings {
  const positiveInt = (v: number, field: string, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new SettingsError(`${field} must be a whole number between 1 and ${max} (got ${v})`);
  };
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(s.optimizer.name)) {
    throw new SettingsError(`optimizer "${s.optimizer.name}" is unknown (choose one of ${OPTIMIZER_NAMES.join(', ')})`);
  }
  const lr = s.optimizer.learningRate;
  if (!Number.isFinite(lr) || lr <= 0) throw new SettingsError(`learning rate must be a positive number (got ${lr})`);
  positiveInt(s.batchSize, 'batch size', 1 << 20);
  positiveInt(s.epochs, 'epochs', 100_000);
  positiveInt(s.prefetch, 'prefetch depth', 64);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff) throw new SettingsError(`seed must be a whole number from 0 to 4294967295 (got ${s.seed})`);
  if (!BACKENDS.includes(s.backend)) throw new SettingsError(`backend "${s.backend}" is unknown (choose one of ${BACKENDS.join(', ')})`);
  if (s.model.hidden.length > 16) throw new SettingsError(`the model has ${s.model.hidden.length} hidden layers; 16 at most`);
  s.model.hidden.forEach((w, i) => positiveInt(w, `hidden layer ${i + 1} width`, 65_536));
  return s;
}

/** Combines settings and the dataset's description into a run configuration. */
export function makeRunConfig(s: RunSettings, data: RunConfig['data']): RunConfig {
  return {
    data,
    model: s.model,
    optimizer: { ...s.optimizer },
    batchSize: s.batchSize,
    epochs: s.epochs,
    precision: 'fp32',
    engine: 'tfjs',
    backend: s.backend,
    prefetch: s.prefetch,
    seed: s.seed,
  };
}
