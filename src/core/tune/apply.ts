/**
 * A trial's parameters written into run settings: each search dimension names a setting by its
 * path (`optimizer.learningRate`, `batchSize`, `model.hidden.0` or `model.hidden[0]`). Choosing
 * `optimizer.name` starts the optimizer afresh ({ name, learningRate }) before its other
 * parameters apply, since hyper-parameters of one optimizer are refused by another.
 */
import { ConfigError } from '../errors';
import { CONFIG_SETTING_KEYS, nearSettingText, validateSettings, type RunSettings } from '../train/run-config';
import { BLOCK_KEYS, MODEL_KEYS } from '../train/models/spec';
import type { ModelType } from '../train/models/types';
import { OPTIMIZER_ALIASES, OPTIMIZER_KEYS } from '../train/optimizer-spec';
import { nearField } from '../data/names';
import { decodeValue, type Dimension, type Params, type SearchSpace } from './space';

/** Settings a search may vary: the run settings a config file may set. */
const ROOTS = new Set<string>(CONFIG_SETTING_KEYS);

const parts = (path: string) => path.replace(/\[(\d+)\]/g, '.$1').split('.');

/** Refuses dimensions that do not name a setting a run has. */
export function checkPaths(space: SearchSpace): void {
  for (const path of Object.keys(space)) {
    const [root, ...rest] = parts(path);
    if (!ROOTS.has(root)) {
      // A setting written otherwise (`batch_size`), or an optimizer field without its root (`lr`, `learning_rate`).
      throw new ConfigError(
        `sweep.space.${path}`,
        `does not name a run setting (${rest.length === 0 ? nearSettingText(root, [...ROOTS]) : ''}` +
          `${[...ROOTS].join(', ')}, or a field inside model or optimizer)`,
      );
    }
    if (root === 'optimizer' && rest.length > 0 && !(OPTIMIZER_KEYS as readonly string[]).includes(rest[0])) {
      const near = nearField(rest[0], OPTIMIZER_KEYS, OPTIMIZER_ALIASES);
      throw new ConfigError(
        `sweep.space.${path}`,
        `the optimizer has no field ${rest[0]} (${near ? `did you mean "optimizer.${near}"?; ` : ''}` +
          `its fields: ${OPTIMIZER_KEYS.join(', ')})`,
      );
    }
    // A trial trains its budget of steps, its epochs raised to fit (see the sweep): a value of
    // epochs would change nothing, and every trial would report the same objective for it.
    if (root === 'epochs')
      throw new ConfigError(
        `sweep.space.${path}`,
        "a trial trains its budget of steps whatever its epochs, so this would change nothing; a trial's length " +
          'is set by the sweep (maxBudget, and eta with halving or hyperband)',
      );
    if ((root === 'model' || root === 'optimizer') && rest.length === 0)
      throw new ConfigError(
        `sweep.space.${path}`,
        `names a whole ${root}; search its fields, like ${root}.${root === 'model' ? 'hidden.0' : 'learningRate'}`,
      );
    if (path === 'model.depth' && space[path].type !== 'int' && space[path].type !== 'choice')
      throw new ConfigError(`sweep.space.${path}`, 'the number of hidden layers needs an int range or a choice');
    if (rest.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype'))
      throw new ConfigError(`sweep.space.${path}`, 'is not a setting path');
  }
}

/** `settings` with the trial's parameters written in (a deep copy; the result still needs validateSettings). */
export function applyParams(settings: RunSettings, params: Params): RunSettings {
  const out = structuredClone(settings) as unknown as Record<string, unknown>;
  const entries = Object.entries(params).sort(([a], [b]) =>
    a === 'optimizer.name' ? -1 : b === 'optimizer.name' ? 1 : 0,
  );
  for (const [path, value] of entries) {
    if (path === 'optimizer.name') {
      const opt = out.optimizer as { learningRate: number };
      out.optimizer = { name: value, learningRate: opt.learningRate };
      continue;
    }
    const keys = parts(path);
    let at = out;
    for (const k of keys.slice(0, -1)) {
      if (typeof at[k] !== 'object' || at[k] === null) at[k] = /^\d+$/.test(k) ? [] : {};
      at = at[k] as Record<string, unknown>;
    }
    at[keys[keys.length - 1]] = value;
  }
  const depth = params['model.depth'];
  if (typeof depth === 'number') {
    const model = out.model as { hidden: number[] };
    const widths = model.hidden.filter((w) => w !== undefined && w !== null);
    const last = widths[widths.length - 1] ?? 32;
    model.hidden = Array.from({ length: depth }, (_, i) => widths[i] ?? last);
  }
  return out as unknown as RunSettings;
}

/**
 * Refuses a model path the trial's model type does not read (`model.dropot`, a block's `filtrs`):
 * written into the spec, it would be carried along and never used.
 */
function checkModelPath(settings: RunSettings, path: string): void {
  const [root, key, index, field] = parts(path);
  if (root !== 'model' || key === 'depth') return;
  const type = settings.model.type as ModelType;
  const takes = Object.hasOwn(MODEL_KEYS, type) ? MODEL_KEYS[type] : null;
  const near = (given: string, known: readonly string[]) => {
    const name = nearField(given, known);
    return name ? `did you mean "${name}"?; ` : '';
  };
  if (takes && !takes.includes(key))
    throw new ConfigError(
      `model.${key}`,
      `is not a setting of the ${type} model (${near(key, takes)}it takes ${takes.join(', ')})`,
    );
  if (key === 'blocks' && index !== undefined && field !== undefined && !BLOCK_KEYS.includes(field))
    throw new ConfigError(
      `model.blocks.${index}.${field}`,
      `is not a block setting (${near(field, BLOCK_KEYS)}a block takes ${BLOCK_KEYS.join(', ')})`,
    );
}

/** The values a dimension's trials reach at its ends: both ends of a range, every value of a choice. */
const endsOf = (d: Dimension): Params[string][] =>
  d.type === 'choice' ? [...new Set(d.values)] : [...new Set([decodeValue(d, 0), decodeValue(d, 1)])];

/** Beyond this many combinations of the other dimensions' ends, a dimension is left to its trials. */
const MAX_PROBES = 1024;

/** At most this many settings are checked in all (about 0.1 s; the Search form runs it on the main thread). */
const MAX_CHECKS = 50_000;

/**
 * Refuses, before any trial runs, a dimension that no trial could run: a path the settings do not
 * have (`optimizer.learningrate`), or an end of its range that the run settings refuse. Each end is
 * tried with every combination of the other dimensions' ends (a `momentum` range may need an
 * `optimizer.name` choice of the space, a `precision` choice its `engine` choice), and refused only
 * when none of them runs, naming the dimension and the setting's own message. A space of more than
 * MAX_PROBES such combinations for a dimension, or checks past MAX_CHECKS in all, are not probed:
 * their failing trials say why, each.
 */
export function checkSpaceRuns(settings: RunSettings, space: SearchSpace): void {
  const names = Object.keys(space);
  const ends = new Map(names.map((name) => [name, endsOf(space[name])]));
  let checks = 0;
  for (const name of names) {
    const others = names.filter((n) => n !== name);
    const count = others.reduce((c, n) => c * ends.get(n)!.length, 1);
    if (count > MAX_PROBES) continue;
    // Every combination of the other dimensions' ends.
    let combos: Params[] = [{}];
    for (const n of others) combos = combos.flatMap((c) => ends.get(n)!.map((v) => ({ ...c, [n]: v })));
    for (const value of ends.get(name)!) {
      let first: ConfigError | null = null;
      // Out of checks: what is left is left to the trials.
      if (checks > MAX_CHECKS) return;
      const runs = combos.some((c) => {
        checks++;
        try {
          const applied = applyParams(settings, { ...c, [name]: value });
          checkModelPath(applied, name);
          validateSettings(applied);
          return true;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          first ??= e;
          return false;
        }
      });
      if (!runs && first) {
        // The dimension the setting's message is about, where that is another one (a `momentum`
        // range beside an `optimizer.name` choice of optimizers without momentum fails every end).
        const field = parts((first as ConfigError).field).join('.');
        const about = names.find((n) => parts(n).join('.') === field) ?? name;
        const at = typeof value === 'number' ? Number(value.toPrecision(6)) : value;
        throw new ConfigError(
          `sweep.space.${about}`,
          `no trial ${about === name ? `could run at ${JSON.stringify(at)}` : `with ${name} ${JSON.stringify(at)} could run`}: ${(first as ConfigError).message}`,
        );
      }
    }
  }
}
