import { nearField } from './data/names';

/** `n noun`, the noun in the plural unless n is 1 ("1 step", "3 epochs"): message text, never "step(s)". */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

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

/**
 * Refuses a key of a settings object that nothing reads, naming it and listing what is taken: a
 * misspelt or foreign key is never dropped in silence (the run would go on with the default). A
 * key close to one taken is named (`temprature`: did you mean "temperature"?).
 */
export function refuseUnknownKeys(obj: object, takes: readonly string[], path: string, what: string): void {
  for (const key of Object.keys(obj))
    if (!takes.includes(key)) {
      const near = nearField(key, takes);
      throw new ConfigError(
        `${path}.${key}`,
        `is not ${what} (${near ? `did you mean "${near}"?; ` : ''}it takes ${takes.join(', ')})`,
      );
    }
}

/** A value as a message shows it: its JSON, or "nothing" where the key is absent. */
export const shown = (v: unknown): string => (v === undefined ? 'nothing' : String(JSON.stringify(v)));
