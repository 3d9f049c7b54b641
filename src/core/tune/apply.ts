/**
 * A trial's parameters written into run settings: each search dimension names a setting by its
 * path (`optimizer.learningRate`, `batchSize`, `model.hidden.0` or `model.hidden[0]`). Choosing
 * `optimizer.name` starts the optimizer afresh ({ name, learningRate }) before its other
 * parameters apply, since hyper-parameters of one optimizer are refused by another.
 */
import { ConfigError } from '../errors';
import { CONFIG_SETTING_KEYS, type RunSettings } from '../train/run-config';
import type { Params, SearchSpace } from './space';

/** Settings a search may vary: the run settings a config file may set. */
const ROOTS = new Set<string>(CONFIG_SETTING_KEYS);

const parts = (path: string) => path.replace(/\[(\d+)\]/g, '.$1').split('.');

/** Refuses dimensions that do not name a setting a run has. */
export function checkPaths(space: SearchSpace): void {
  for (const path of Object.keys(space)) {
    const [root, ...rest] = parts(path);
    if (!ROOTS.has(root))
      throw new ConfigError(
        `sweep.space.${path}`,
        `does not name a run setting (${[...ROOTS].join(', ')}, or a field inside model or optimizer)`,
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
