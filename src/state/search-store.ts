/**
 * A search (SearchView) as it is stored in this browser and carried in share links: the core
 * codec's SearchRecord (core/share/search-codec.ts), whose `config` is the run the trials start
 * from; the view's settings are that config's, read back by the form's own rules.
 */
import { readSearchRecord, type SearchRecord } from '../core/share/search-codec';
import { configSettings, queuedConfig } from './queued-config';
import type { SearchView } from './store';

/** The record of a search, for IndexedDB or a link. */
export function searchRecord(view: SearchView): SearchRecord {
  const { settings, data, ...rest } = view;
  return { ...rest, config: queuedConfig({ ...settings, timeBudgetSec: null }, data).config };
}

/**
 * A stored or shared search read back, or null when it does not check out. `as`: what it
 * becomes (a stored running search is `interrupted`, its unfinished last trial dropped to run
 * again; a shared one is `shared`, read-only).
 */
export function readSearch(v: unknown, as: 'stored' | 'shared'): SearchView | null {
  try {
    return searchFromRecord(readSearchRecord(v), as);
  } catch {
    return null;
  }
}

/** A checked record as the workbench's view (throws a ConfigError when its settings no longer validate). */
export function searchFromRecord(record: SearchRecord, as: 'stored' | 'shared'): SearchView {
  {
    const { config, ...rest } = record;
    const settings = { ...configSettings(config, config.data, null), timeBudgetSec: null };
    const reported = rest.trials.filter((t) => t.objective !== null || t.steps > 0 || t.error !== undefined);
    return {
      ...rest,
      settings,
      data: config.data,
      trials: as === 'shared' || rest.status !== 'running' ? reported : rest.trials,
      status: as === 'shared' ? 'shared' : rest.status === 'running' ? 'interrupted' : rest.status,
    };
  }
}
