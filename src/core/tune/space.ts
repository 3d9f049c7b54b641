/**
 * Search spaces for tuning (interfaces.md, `sweep.space`): per setting, a log-uniform or uniform
 * range, an integer range, or a choice. Points live in a unit cube internally ([0, 1) per
 * dimension, log dimensions mapped through their logarithm), so samplers work in one space and
 * `decode` turns a point into setting values. Bad spaces are refused naming the dimension.
 */
import { ConfigError, refuseUnknownKeys, shown } from '../errors';

export type Dimension =
  | { type: 'log'; min: number; max: number }
  | { type: 'float'; min: number; max: number }
  | { type: 'int'; min: number; max: number; log?: boolean }
  | { type: 'choice'; values: (string | number | boolean)[] };

export type SearchSpace = Record<string, Dimension>;
export type Params = Record<string, string | number | boolean>;

/** The keys each kind of dimension takes (`log` on an int: whole numbers spread on a log scale). */
const DIMENSION_KEYS: Readonly<Record<string, readonly string[]>> = Object.assign(Object.create(null) as object, {
  choice: ['type', 'values'],
  log: ['type', 'min', 'max'],
  float: ['type', 'min', 'max'],
  int: ['type', 'min', 'max', 'log'],
});

/** Checks a space; throws a ConfigError naming `sweep.space.<dimension>`. */
export function validateSpace(space: unknown): SearchSpace {
  if (typeof space !== 'object' || space === null || Array.isArray(space))
    throw new ConfigError(
      'sweep.space',
      'must be an object of dimensions, like { "optimizer.learningRate": { "type": "log", "min": 1e-4, "max": 0.1 } }',
    );
  const names = Object.keys(space);
  if (names.length === 0) throw new ConfigError('sweep.space', 'has no dimensions to search');
  if (names.length > 32) throw new ConfigError('sweep.space', `has ${names.length} dimensions; 32 at most`);
  for (const name of names) {
    const field = `sweep.space.${name}`;
    const d = (space as Record<string, unknown>)[name] as Record<string, unknown> | null;
    if (typeof d !== 'object' || d === null)
      throw new ConfigError(field, `must be a dimension object, got ${shown(d)}`);
    // A key the search would not read is refused, not dropped (a typo such as "mx" would
    // silently search the wrong range). An unknown type is refused below, by name.
    const takes = typeof d.type === 'string' ? DIMENSION_KEYS[d.type] : undefined;
    if (takes) refuseUnknownKeys(d, takes, field, `a setting of a ${String(d.type)} dimension`);
    if (d.type === 'choice') {
      const values = d.values;
      if (!Array.isArray(values) || values.length === 0)
        throw new ConfigError(field, 'a choice needs at least one value in "values"');
      if (values.length > 64) throw new ConfigError(field, `a choice of ${values.length} values; 64 at most`);
      for (const v of values)
        if (!['string', 'number', 'boolean'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v)))
          throw new ConfigError(field, `a choice's values must be strings, numbers or booleans, got ${shown(v)}`);
      continue;
    }
    if (d.type !== 'log' && d.type !== 'float' && d.type !== 'int')
      throw new ConfigError(`${field}.type`, `must be log, float, int or choice, got ${shown(d.type)}`);
    const { min, max } = d;
    if (typeof min !== 'number' || !Number.isFinite(min) || typeof max !== 'number' || !Number.isFinite(max))
      throw new ConfigError(field, `needs finite "min" and "max", got ${shown(min)} and ${shown(max)}`);
    if (!(min < max))
      throw new ConfigError(field, `the range is empty or inverted: min ${min} is not below max ${max}`);
    if ((d.type === 'log' || (d.type === 'int' && d.log)) && min <= 0)
      throw new ConfigError(field, `a log range must stay above 0, got min ${min}`);
    if (d.type === 'int' && (!Number.isInteger(min) || !Number.isInteger(max)))
      throw new ConfigError(field, `an int range needs whole-number bounds, got ${min} and ${max}`);
  }
  return space as SearchSpace;
}

/** Number of options of a choice dimension, or null for a continuous (or integer) one. */
export function choices(d: Dimension): number | null {
  return d.type === 'choice' ? d.values.length : null;
}

/** A dimension's value for a unit-cube coordinate u in [0, 1). */
export function decodeValue(d: Dimension, u: number): string | number | boolean {
  const t = Math.min(Math.max(u, 0), 1 - 1e-12);
  switch (d.type) {
    case 'choice':
      return d.values[Math.floor(t * d.values.length)];
    case 'float':
      return d.min + t * (d.max - d.min);
    case 'log':
      return Math.exp(Math.log(d.min) + t * (Math.log(d.max) - Math.log(d.min)));
    case 'int':
      // Each whole number gets an equal share of the cube (of its log when `log`).
      if (d.log) {
        const lo = Math.log(d.min - 0.5 > 0 ? d.min - 0.5 : d.min);
        const v = Math.round(Math.exp(lo + t * (Math.log(d.max + 0.5) - lo)));
        return Math.min(d.max, Math.max(d.min, v));
      }
      return Math.min(d.max, d.min + Math.floor(t * (d.max - d.min + 1)));
  }
}

/** The unit-cube coordinate of a value (the centre of its cell for ints and choices). */
export function encodeValue(d: Dimension, v: string | number | boolean): number {
  switch (d.type) {
    case 'choice': {
      const i = d.values.indexOf(v);
      return (Math.max(0, i) + 0.5) / d.values.length;
    }
    case 'float':
      return ((v as number) - d.min) / (d.max - d.min);
    case 'log':
      return (Math.log(v as number) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min));
    case 'int':
      if (d.log) {
        const lo = Math.log(d.min - 0.5 > 0 ? d.min - 0.5 : d.min);
        return (Math.log(v as number) - lo) / (Math.log(d.max + 0.5) - lo);
      }
      return ((v as number) - d.min + 0.5) / (d.max - d.min + 1);
  }
}

/** The setting values of a unit-cube point (dimensions in the space's key order). */
export function decode(space: SearchSpace, point: readonly number[]): Params {
  const out: Params = {};
  Object.entries(space).forEach(([name, d], i) => (out[name] = decodeValue(d, point[i])));
  return out;
}
