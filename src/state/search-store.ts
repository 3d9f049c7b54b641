/**
 * A search (SearchView) as it is stored in this browser and carried in share links, and read
 * back from either: every field checked against the bytes that are there (counts, lengths,
 * types), the spec by the sweep's own rules, the settings by the form's, and the trials by
 * replaying them through the sampler (session.ts), so a search that does not add up is refused
 * rather than shown or resumed half-right.
 */
import { validateSweep } from '../core/tune/driver';
import { checkPaths } from '../core/tune/apply';
import { replaySweep, type SessionTrial } from '../core/tune/session';
import { configSettings } from './queued-config';
import { readData } from './waiting';
import type { SearchView } from './store';

/** The most trials a stored or shared search may hold (Hyperband at R = 243, eta 3 runs fewer). */
export const MAX_SEARCH_TRIALS = 2000;

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isNumberOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const isText = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;

function readTrial(v: unknown, index: number): SessionTrial | null {
  if (typeof v !== 'object' || v === null) return null;
  const t = v as Record<string, unknown>;
  if (t.trial !== index || !isInt(t.config, 0, MAX_SEARCH_TRIALS) || !isInt(t.budget, 1) || !isInt(t.steps, 0))
    return null;
  if (!isNumberOrNull(t.objective) || !isNumberOrNull(t.second) || typeof t.stoppedEarly !== 'boolean') return null;
  if (!(t.runId === null || isText(t.runId, 256)) || !(t.error === undefined || isText(t.error, 4096))) return null;
  const p = t.params;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return null;
  const params = Object.entries(p as Record<string, unknown>);
  if (params.length > 32) return null;
  for (const [k, x] of params)
    if (k.length > 256 || !(isText(x, 256) || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))))
      return null;
  return {
    trial: index,
    config: t.config as number,
    params: Object.fromEntries(params) as SessionTrial['params'],
    budget: t.budget as number,
    objective: t.objective as number | null,
    second: t.second as number | null,
    stoppedEarly: t.stoppedEarly,
    steps: t.steps as number,
    runId: t.runId as string | null,
    ...(t.error !== undefined ? { error: t.error as string } : {}),
  };
}

/**
 * A stored or shared search read back, or null when it does not check out. `as`: the status it
 * gets (a stored running search is `interrupted`, a shared one `shared`).
 */
export function readSearch(v: unknown, as: 'stored' | 'shared'): SearchView | null {
  try {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    if (!isText(o.id, 256) || !(o.id as string).startsWith('search-')) return null;
    if (!isNumberOrNull(o.targetLoss) || typeof o.minimise !== 'boolean' || typeof o.minimiseSecond !== 'boolean')
      return null;
    const status = o.status;
    if (!['running', 'done', 'cancelled', 'interrupted', 'shared'].includes(status as string)) return null;
    const spec = validateSweep(o.spec);
    checkPaths(spec.space);
    const data = readData(o.data);
    if (!data || typeof o.settings !== 'object' || o.settings === null) return null;
    const raw = o.settings as Record<string, unknown>;
    const settings = configSettings(raw, data, null, raw.epochs);
    if (!Array.isArray(o.trials) || o.trials.length > MAX_SEARCH_TRIALS) return null;
    const trials: SessionTrial[] = [];
    for (let i = 0; i < o.trials.length; i++) {
      const t = readTrial(o.trials[i], i);
      if (!t) return null;
      trials.push(t);
    }
    // The trials with a result replay through the sampler; the last may be one still running.
    const reported = trials.filter((t) => t.objective !== null || t.steps > 0 || t.error !== undefined);
    if (reported.length < trials.length - 1) return null;
    replaySweep(spec, o.minimise, o.minimiseSecond, reported);
    return {
      id: o.id as string,
      spec,
      settings: { ...settings, timeBudgetSec: null },
      data,
      targetLoss: o.targetLoss as number | null,
      minimise: o.minimise,
      minimiseSecond: o.minimiseSecond,
      trials: as === 'shared' || status !== 'running' ? reported : trials,
      status: as === 'shared' ? 'shared' : status === 'running' ? 'interrupted' : (status as SearchView['status']),
    };
  } catch {
    return null;
  }
}
