/**
 * A search (core/tune; the workbench's Search panel) as it is stored in a browser and carried in
 * share links: its spec, the run config its trials start from, its objectives' directions, its
 * status and every trial. Read back field by field into fresh objects with bounded counts and
 * lengths; the spec by the sweep's own rules, the config by the stored-run codec, and the trials
 * by replaying them through the seeded sampler (session.ts), so a search that was edited does
 * not come back. Problems are DecodeErrors naming the field.
 */
import { ConfigError } from '../errors';
import { checkPaths } from '../tune/apply';
import { validateSweep, type SweepSpec } from '../tune/driver';
import { replaySweep, type SessionTrial } from '../tune/session';
import type { Dimension, Params, SearchSpace } from '../tune/space';
import type { RunConfig } from '../train/record';
import { readConfig } from './run-codec';
import {
  DecodeError,
  count,
  list,
  nullable,
  number,
  noForbiddenKeys,
  oneOf,
  optional,
  record,
  text,
  type Fields,
} from './schema';

/** The most trials a stored or shared search holds (Hyperband at R = 243, eta 3 runs fewer). */
export const MAX_SEARCH_TRIALS = 2000;
const MAX_TEXT = 256;

export type SearchStatus = 'running' | 'done' | 'cancelled' | 'interrupted' | 'shared';
export const SEARCH_STATUSES: readonly SearchStatus[] = ['running', 'done', 'cancelled', 'interrupted', 'shared'];

/** A search as it is kept: `config` is the run its trials start from (settings and data). */
export interface SearchRecord {
  id: string;
  spec: Required<SweepSpec>;
  config: RunConfig;
  targetLoss: number | null;
  minimise: boolean;
  minimiseSecond: boolean;
  status: SearchStatus;
  trials: SessionTrial[];
  /** Seconds its trials' runs took so far (what a time budget counts). */
  spentSec: number;
  /** True when its time budget ended it before its plan ran out. */
  stoppedByBudget: boolean;
}

const bool = (v: unknown, p: string): boolean => {
  if (typeof v !== 'boolean') throw new DecodeError(p, 'must be true or false');
  return v;
};
const finiteOrNull = (v: unknown, p: string) => nullable(v, p, (x, q) => number(x, q));
const value = (v: unknown, p: string): string | number | boolean =>
  typeof v === 'boolean' ? v : typeof v === 'number' ? number(v, p) : text(v, p, { max: MAX_TEXT });

/** A trial's setting values (their names are checked against the spec by the replay). */
function readParams(v: unknown, p: string): Params {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(p, 'must be an object');
  noForbiddenKeys(v, p, 0);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 32) throw new DecodeError(p, `has ${keys.length} settings, more than 32`);
  const out: Params = {};
  for (const k of keys) out[text(k, `${p} key`, { max: MAX_TEXT })] = value(o[k], `${p}.${k}`);
  return out;
}

const TRIAL_FIELDS: Fields<SessionTrial> = {
  trial: (v, p) => count(v, p, MAX_SEARCH_TRIALS),
  config: (v, p) => count(v, p, MAX_SEARCH_TRIALS),
  params: readParams,
  budget: (v, p) => count(v, p, undefined, 1),
  objective: finiteOrNull,
  stoppedEarly: bool,
  second: finiteOrNull,
  steps: (v, p) => count(v, p),
  runId: (v, p) => nullable(v, p, (x, q) => text(x, q, { max: MAX_TEXT })),
  error: optional((v, p) => text(v, p, { max: 4096, lines: true })),
};

/** The spec checked by the sweep's rules, rebuilt fresh (dimensions, values and all). */
function readSpec(v: unknown, p: string): Required<SweepSpec> {
  let spec: Required<SweepSpec>;
  noForbiddenKeys(v, p);
  try {
    spec = validateSweep(v);
    checkPaths(spec.space);
  } catch (e) {
    if (e instanceof ConfigError) throw new DecodeError(`${p}.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
  const space: SearchSpace = {};
  for (const [name, d] of Object.entries(spec.space)) {
    const at = `${p}.space.${text(name, `${p}.space key`, { max: MAX_TEXT })}`;
    space[name] =
      d.type === 'choice'
        ? { type: 'choice', values: list(d.values, `${at}.values`, 64, value) }
        : ({ type: d.type, min: d.min, max: d.max, ...(d.type === 'int' && d.log ? { log: true } : {}) } as Dimension);
  }
  const objective = Array.isArray(spec.objective) ? ([...spec.objective] as typeof spec.objective) : spec.objective;
  return { ...spec, objective, space };
}

const SEARCH_FIELDS: Fields<SearchRecord> = {
  id: (v, p) => {
    const id = text(v, p, { max: MAX_TEXT });
    if (!id.startsWith('search-')) throw new DecodeError(p, 'is not a search id');
    return id;
  },
  spec: readSpec,
  config: (v, p) => readConfig(v, p),
  targetLoss: finiteOrNull,
  minimise: bool,
  minimiseSecond: bool,
  status: (v, p) => oneOf(v, p, SEARCH_STATUSES),
  trials: (v, p) => list(v, p, MAX_SEARCH_TRIALS, (t, q) => record(t, q, TRIAL_FIELDS)),
  spentSec: (v, p) => number(v, p, { min: 0 }),
  stoppedByBudget: bool,
};

/**
 * A stored or shared search read back (fresh objects), or a DecodeError. Its trials must be
 * numbered in order, and all but the last have a result; those with one must replay.
 */
export function readSearchRecord(v: unknown, path = 'search'): SearchRecord {
  const s = record(v, path, SEARCH_FIELDS);
  s.trials.forEach((t, i) => {
    if (t.trial !== i) throw new DecodeError(`${path}.trials[${i}].trial`, `must be ${i}, got ${t.trial}`);
  });
  const reported = s.trials.filter((t) => t.objective !== null || t.steps > 0 || t.error !== undefined);
  if (reported.length < s.trials.length - 1 || reported.some((t, i) => t.trial !== i))
    throw new DecodeError(`${path}.trials`, 'only the last trial may be without a result');
  try {
    replaySweep(s.spec, s.minimise, s.minimiseSecond, reported);
  } catch (e) {
    throw new DecodeError(`${path}.trials`, (e as Error).message);
  }
  return s;
}
