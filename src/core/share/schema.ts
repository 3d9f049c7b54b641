/**
 * Readers for untrusted JSON-shaped values (share links, stored runs). Each reader checks one
 * value and returns it, or a fresh copy built from the keys it knows; anything else is a
 * {@link DecodeError} naming the field's path and what is wrong, in words a user can act on.
 * Values quoted in a message are cut short, so a hostile megabyte string never reaches the UI.
 */

/** A value that does not fit its schema; the message starts with the field's dotted path. */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly path: string,
    what: string,
  ) {
    super(`${path}: ${what}`);
  }
}

/** Keys that would reach an object's prototype machinery if anything ever merged such an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A value in a message: numbers as written, strings quoted and cut to 40 characters, containers by kind, a missing one
 * as such.
 */
export function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing (the field is missing)';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * The known keys of `T` (for a check without readers; {@link record} takes them from its schema), checked by the
 * compiler both ways: a key of `T` missing here, or a key
 * here that `T` lacks, fails the type check (so a field added to a record cannot be forgotten by
 * its decoder, which would then refuse every record carrying it).
 */
export function keysOf<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

/**
 * `v` as a plain object whose own keys are all in `known` (absent keys are the caller's to
 * check). Refuses lists, `__proto__` / `constructor` / `prototype` keys and unknown keys, each
 * with its own message.
 */
export function object(v: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new DecodeError(path, `must be an object, got ${show(v)}`);
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    if (FORBIDDEN_KEYS.has(key)) throw new DecodeError(path, `the field ${show(key)} is not allowed`);
    if (!known.includes(key)) throw new DecodeError(path, `unknown field ${show(key)}`);
  }
  return v as Record<string, unknown>;
}

/**
 * Refuses `__proto__` / `constructor` / `prototype` keys anywhere in a small tree (for parts another validator reads).
 */
export function noForbiddenKeys(v: unknown, path: string, depth = 4): void {
  if (typeof v !== 'object' || v === null || depth < 0) return;
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    if (FORBIDDEN_KEYS.has(key)) throw new DecodeError(path, `the field ${show(key)} is not allowed`);
    noForbiddenKeys((v as Record<string, unknown>)[key], `${path}.${key}`, depth - 1);
  }
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** `min` itself is refused. */
  above?: boolean;
  integer?: boolean;
}

function ruleText(r: NumberRule): string {
  const kind = r.integer ? 'a whole number' : 'a finite number';
  const lo = r.min === undefined ? '' : ` ${r.above ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${lo ? ' and' : ''} <= ${r.max}`;
  return `${kind}${lo}${hi}`;
}

/** A finite number within the rule (`1e999` parses to Infinity and is refused here). */
export function number(v: unknown, path: string, r: NumberRule = {}): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!r.integer || Number.isSafeInteger(v)) &&
    (r.min === undefined || (r.above ? v > r.min : v >= r.min)) &&
    (r.max === undefined || v <= r.max);
  if (!ok || typeof v !== 'number') throw new DecodeError(path, `must be ${ruleText(r)}, got ${show(v)}`);
  return v;
}

/** A count: a whole number (safe in a double) from 0, or `min`, up to `max` when given. */
export function count(v: unknown, path: string, max?: number, min = 0): number {
  return number(v, path, { integer: true, min, max });
}

/** Null, or what `read` makes of `v`. */
export function nullable<T>(v: unknown, path: string, read: (v: unknown, path: string) => T): T | null {
  return v === null ? null : read(v, path);
}

/** One of `values` (the entry of `values` that `v` is). */
export function oneOf<T extends string | number>(v: unknown, path: string, values: readonly T[]): T {
  const found = values.find((x) => x === v);
  if (found === undefined) throw new DecodeError(path, `must be one of ${values.join(', ')}, got ${show(v)}`);
  return found;
}

/** Undefined when `v` is (an absent field, or a key holding `undefined`), else what `read` makes of it. */
export function optional<T>(read: (v: unknown, path: string) => T): (v: unknown, path: string) => T | undefined {
  return (v, path) => (v === undefined ? undefined : read(v, path));
}

/**
 * A reader for every field of `T`, by name: the compiler refuses a schema that lacks a field of
 * `T` (optional ones included) or names one that `T` does not have, so a field added to a record
 * type cannot be forgotten by its decoder. A reader gets `undefined` for an absent field.
 */
export type Fields<T> = { [K in keyof T]-?: (v: unknown, path: string) => T[K] };

/**
 * `v` as a `T` built fresh, field by field: {@link object}'s refusals (unknown and forbidden
 * keys), then each field read by its reader at `base.field` (`field` alone when `base` is empty),
 * in the schema's order; a field whose reader returns `undefined` is left out.
 */
export function record<T>(v: unknown, path: string, fields: Fields<T>, base: string = path): T {
  const keys = Object.keys(fields) as (keyof T & string)[];
  const o = object(v, path, keys);
  const out: Partial<T> = {};
  for (const key of keys) {
    const value = fields[key](o[key], base ? `${base}.${key}` : key);
    if (value !== undefined) out[key] = value;
  }
  // Every field of T was read by its reader (Fields<T> names them all); the absent ones are optional.
  return out as T;
}

/** C0 controls, DEL and C1 controls; `lines` allows tab, line feed and carriage return. */
function hasControl(s: string, lines: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && !(lines && (c === 0x09 || c === 0x0a || c === 0x0d))) return true;
    if (c >= 0x7f && c <= 0x9f) return true;
  }
  return false;
}

export interface TextRule {
  max: number;
  /** Messages: tabs and line breaks allowed (other control characters never are). */
  lines?: boolean;
  /** Control characters allowed (for a value another check reads, such as an address). */
  controls?: boolean;
}

/** A string of at most `max` characters without control characters. */
export function text(v: unknown, path: string, r: TextRule): string {
  if (typeof v !== 'string') throw new DecodeError(path, `must be text, got ${show(v)}`);
  if (v.length > r.max) throw new DecodeError(path, `is ${v.length} characters long, more than ${r.max}`);
  if (!r.controls && hasControl(v, r.lines ?? false)) throw new DecodeError(path, 'holds control characters');
  return v;
}

/** A fresh list of at most `max` entries, each read by `read`. */
export function list<T>(v: unknown, path: string, max: number, read: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(v)) throw new DecodeError(path, `must be a list, got ${show(v)}`);
  if (v.length > max) throw new DecodeError(path, `has ${v.length} entries, more than ${max}`);
  const out: T[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = read(v[i], `${path}[${i}]`);
  return out;
}
