/**
 * Short names for the runs of a comparison: only the settings that differ between the runs
 * shown, so that 28 runs read `lr 0.01 · batch 64`, not the whole configuration each time.
 *
 * Built on core's describeConfig (the one description of a configuration), with two changes
 * for a crowded view: an optimizer's hyper-parameters count one by one, a value that is its
 * optimizer's default is named only next to runs of the same optimizer with another value
 * (Adam's `beta1 0.9` says nothing next to an SGD run; the optimizer's name already differs);
 * and a run opened from a share link always says so.
 */
import type { RunConfig } from '../../core/train/record';
import { describeConfig, EMPTY_PART } from '../../core/train/results';
import { OPTIMIZER_DEFAULTS } from '../../core/train/optimizer-spec';

export interface LabelInput {
  config: RunConfig;
  budgetSec: number | null;
  /** Where a run from a share link was trained; null or absent for runs made here. */
  origin?: string | null;
}

const HYPERS = ['momentum', 'beta1', 'beta2', 'rho', 'epsilon', 'weightDecay'] as const;

/** Parts named here make a lone run's label: enough to tell what it was, no defaults. */
const HEADLINE = new Set([
  'model',
  'optimizer',
  'lr',
  'batch',
  'length',
  'engine',
  'precision',
  'prepareOn',
  'augment',
  'pruning',
  'distill',
]);

type Part = [name: string, value: string | null];

/** The parts of one configuration; a hyper-parameter its optimizer does not have is null. */
function partsOf(c: LabelInput): Part[] {
  const o = c.config.optimizer;
  const base = describeConfig(c.config, c.budgetSec, null).filter(([name]) => name !== 'hyper' && name !== 'from');
  const at = base.findIndex(([name]) => name === 'lr') + 1;
  const hypers: Part[] = HYPERS.map((k) => [k, o[k] === undefined || o[k] === null ? null : `${k} ${o[k]}`]);
  return [...base.slice(0, at), ...hypers, ...base.slice(at)];
}

/**
 * One label per configuration, in order: the parts that differ between them (a part empty for
 * its usual value shows that value, `tfjs`, `fp32`, `default`), or, when nothing differs, the
 * model, optimizer, learning rate, batch size and length (not when where they ran tells
 * them apart). Runs from a share link end with `shared: <where>`, and then runs made here with `here`.
 */
export function differingLabels(configs: readonly LabelInput[]): string[] {
  const parts = configs.map(partsOf);
  const anyShared = configs.some((c) => c.origin);
  // Where the runs trained sets them apart on its own: no headline needed beside it.
  const originDiffers = new Set(configs.map((c) => c.origin ?? '')).size > 1;
  const names = parts[0]?.map(([name]) => name) ?? [];
  const distinct = (js: readonly number[], i: number) =>
    new Set(js.map((j) => parts[j][i][1]).filter((v) => v !== null)).size > 1;
  const all = configs.map((_, j) => j);
  const show = (i: number, j: number): boolean => {
    const name = names[i];
    if (!(HYPERS as readonly string[]).includes(name))
      return parts.length > 1 && new Set(parts.map((p) => p[i][1])).size > 1;
    const o = configs[j].config.optimizer;
    if (parts[j][i][1] === null) return false;
    const sameOptimizer = all.filter((k) => configs[k].config.optimizer.name === o.name);
    if (distinct(sameOptimizer, i)) return true;
    const dflt = OPTIMIZER_DEFAULTS[o.name]?.[name as (typeof HYPERS)[number]];
    return distinct(all, i) && o[name as (typeof HYPERS)[number]] !== dflt;
  };
  return parts.map((p, j) => {
    let words = p.filter((_, i) => show(i, j)).map(([name, v]) => v || EMPTY_PART[name] || 'default');
    if (words.length === 0 && !originDiffers)
      words = p.filter(([name, v]) => HEADLINE.has(name) && v).map(([, v]) => v!);
    const origin = configs[j].origin;
    if (origin) words.push(`shared: ${origin}`);
    else if (anyShared) words.push('here');
    return words.join(' · ');
  });
}

export interface NamedRun extends LabelInput {
  id: string;
  config: RunConfig;
}

/**
 * A name per run id: its configuration's label, then its seed when the runs' seeds differ
 * (or two runs would otherwise share a name).
 */
export function runNames(runs: readonly NamedRun[]): Record<string, string> {
  const labels = differingLabels(runs);
  const seeds = new Set(runs.map((r) => r.config.seed));
  const clash = new Set(labels).size < labels.length;
  const withSeed = seeds.size > 1 || clash;
  return Object.fromEntries(runs.map((r, i) => [r.id, withSeed ? `${labels[i]} · seed ${r.config.seed}` : labels[i]]));
}
