/**
 * A configuration that cannot be trained, refused before training starts. The message names
 * the offending field (for example `optimizer.learningRate`) and says what is allowed. Here, at
 * the root of the core, so that every part of it (data, index, train, share) may throw it.
 */
export class ConfigError extends Error {
  /** Dotted path of the offending field, e.g. `optimizer.schedule.totalSteps`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}
