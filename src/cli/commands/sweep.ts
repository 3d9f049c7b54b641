/**
 * `sweep`: tunes a configuration headless. The config file holds train's keys plus `sweep`
 * (interfaces.md): a search space, a sampler (random, tpe), a scheduler (none, halving,
 * hyperband), an objective and a budget in steps. Each trial is one run on the data decoded
 * once (train.ts's session), its length the scheduler's budget (maxSteps).
 *
 *   npm run cli -- sweep --config cfg.json --data FILE [--json]
 *
 * Prints `{ trials: [{ params, budget, objective, stoppedEarly }], best }`.
 */
import { ConfigError } from '../../core/errors';
import { applyParams, checkPaths, checkSpaceRuns } from '../../core/tune/apply';
import {
  paretoFront,
  SweepDriver,
  validateSweep,
  type SecondObjective,
  type TrialRecord,
} from '../../core/tune/driver';
import { minimises, trialObjective } from '../../core/tune/session';
import { validateSettings } from '../../core/train/run-config';
import type { RunRecord } from '../../core/train/record';
import { UsageError, type ParsedArgs } from '../args';
import { gatherSettings, openSession, runOnce } from './train';
import { resolveTask } from '../../core/data/encode';

export function sweepHelp(): string {
  return [
    'usage: npm run cli -- sweep --config CFG --data FILE [--json] [--quiet]',
    '',
    'Tunes a configuration: CFG holds train\'s config keys and a "sweep" object, for example',
    '  "sweep": { "sampler": "tpe", "scheduler": "hyperband", "objective": "valLoss", "maxBudget": 81, "eta": 3,',
    '             "space": { "optimizer.learningRate": { "type": "log", "min": 1e-4, "max": 0.3 },',
    '                        "batchSize": { "type": "int", "min": 16, "max": 128 },',
    '                        "optimizer.name": { "type": "choice", "values": ["sgd", "adam", "lion"] } } }',
    '',
    '  sampler     random | tpe (Tree-structured Parzen Estimator, after 10 random trials)',
    '  scheduler   none (trials at maxBudget) | halving (successive halving of `trials`) | hyperband',
    '  objective   valLoss | valMetric (accuracy, or val loss for regression) | timeToTarget (needs targetLoss) | samplesPerSec,',
    '              or two: [first, second] (second may also be parameters or flopsPerSample): the scheduler follows',
    '              the first, TPE both (Pareto ranking, MOTPE), the output lists the Pareto front of both',
    '  maxBudget   steps of the longest trial; eta: the halving rate (default 3); trials; seed (default 1)',
    '  timeBudgetSec  seconds after which no new trial starts (default none; the JSON says stoppedByBudget)',
    '  space       per setting path: { type: log | float | int, min, max } or { type: choice, values };',
    '              model.depth (int or choice) sets the number of hidden layers (architecture search)',
    '',
    'exit codes: 0 success, 1 bad input (the message names the field), 2 usage error',
  ].join('\n');
}

/** A trial's objective from its run record (null: failed, or the target never reached). */
const objectiveOf = (rec: RunRecord, objective: SecondObjective) =>
  trialObjective({ summary: rec.summary, epochs: rec.epochs, failed: false }, objective);

export async function sweep(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const dataFile = args.flags.get('data');
  if (typeof dataFile !== 'string' || !args.flags.has('config'))
    throw new UsageError('sweep needs --config CFG (with a "sweep" object) and --data FILE');
  const gathered = await gatherSettings(args, ['sweep']);
  if (gathered.extra.sweep === undefined)
    throw new ConfigError('sweep', 'the config file has no "sweep" object to run');
  const spec = validateSweep(gathered.extra.sweep);
  // Each trial runs the steps its budget gives and no new trial starts past sweep.timeBudgetSec;
  // a run's own step and time limits would be overridden, so they are refused, not dropped.
  if (gathered.maxSteps !== null)
    throw new ConfigError('maxSteps', "a search sets each trial's steps from its budget: use sweep.maxBudget");
  if (gathered.maxSeconds !== null)
    throw new ConfigError('maxSeconds', 'a search is limited in time by sweep.timeBudgetSec, not per run');
  checkPaths(spec.space);
  checkSpaceRuns(gathered.settings, spec.space);
  const [primary, second] = Array.isArray(spec.objective) ? spec.objective : [spec.objective, null];
  if ((primary === 'timeToTarget' || second === 'timeToTarget') && gathered.targetLoss === null)
    throw new ConfigError('targetLoss', 'the timeToTarget objective needs a target loss (targetLoss in the config)');

  const session = await openSession(args, dataFile);
  const label = gathered.data.label ?? session.summary.defaultLabel;
  // Accuracy is maximised where the label is classes: as the runs will read it (a categorical or
  // boolean label, whole numbers with few values, or data.task), not by its column type alone.
  const labelStats = session.summary.columns.find((c) => c.name === label);
  const classification =
    labelStats !== undefined &&
    resolveTask(session.summary.name, label, labelStats, gathered.data.task) === 'classification';
  const minimisesHere = (o: SecondObjective) => minimises(o, classification);
  const minimise = minimisesHere(primary);
  const driver = new SweepDriver(spec, minimise, second ? minimisesHere(second) : true);
  const secondOf = new Map<number, number | null>();
  const stepsRun = new Map<number, number>();
  const errors = new Map<number, string>();
  let firstError: ConfigError | null = null;
  const quietArgs: ParsedArgs = { positionals: [], flags: new Map([...args.flags, ['quiet', true]]) };
  session.quiet = true;
  const started = performance.now();
  // A time budget: no new trial once it is spent (the one running then finishes).
  let stoppedByBudget = false;
  for (;;) {
    if (spec.timeBudgetSec !== null && (performance.now() - started) / 1000 >= spec.timeBudgetSec) {
      stoppedByBudget = !driver.done();
      break;
    }
    const t = driver.next();
    if (t === null) break;
    let objective: number | null = null;
    try {
      const applied = applyParams(gathered.settings, t.params);
      // Enough epochs for the budget to bind (an epoch has at least one step): a trial runs its budget.
      const settings = validateSettings({ ...applied, epochs: Math.max(applied.epochs, t.budget) });
      const { record } = await runOnce(
        session,
        // batchGiven: a trial's batch, from the space or the config, is refused above the training rows, not fitted.
        { ...gathered, settings, maxSteps: t.budget, maxSeconds: null, batchGiven: true },
        quietArgs,
      );
      objective = objectiveOf(record, primary);
      // A trial that diverged has no objective: the reason is listed as its error.
      if (record.summary.status === 'failed') errors.set(t.trial, record.summary.error ?? 'the run failed');
      stepsRun.set(t.trial, (record.steps[record.steps.length - 1]?.step ?? -1) + 1);
      if (second) secondOf.set(t.trial, objectiveOf(record, second));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.set(t.trial, e.message);
      firstError ??= e;
    }
    driver.report(t.trial, objective, second ? (secondOf.get(t.trial) ?? null) : null);
    if (!args.flags.has('quiet'))
      process.stderr.write(
        `trial ${t.trial + 1} (config ${t.config + 1}, ${t.budget} steps): ${primary} ${objective ?? errors.get(t.trial) ?? 'none'}` +
          (second ? `, ${second} ${secondOf.get(t.trial) ?? 'none'}` : '') +
          '\n',
      );
  }
  const seconds = (performance.now() - started) / 1000;
  const trials = driver.trials().map((r: TrialRecord) => ({
    trial: r.trial,
    config: r.config,
    params: r.params,
    budget: r.budget,
    objective: r.objective,
    stoppedEarly: r.stoppedEarly,
    steps: stepsRun.get(r.trial) ?? 0,
    ...(second ? { second: secondOf.get(r.trial) ?? null } : {}),
    ...(errors.has(r.trial) ? { error: errors.get(r.trial) } : {}),
  }));
  // Nothing to report when every trial was refused (a batch size above the rows the data has, in
  // every trial): exit 1 with the first trial's reason, as a refused train does.
  if (firstError && errors.size === trials.length)
    throw new ConfigError(
      firstError.field,
      `${firstError.message.slice(firstError.field.length + 2)} (each of the ${trials.length} trials failed; this was the first's reason)`,
    );
  const best = driver.best();
  // Two objectives: the trials at the largest budget that no other trial there beats in both.
  let pareto: typeof trials = [];
  if (second) {
    const top = Math.max(0, ...trials.filter((r) => r.objective !== null).map((r) => r.budget));
    const candidates = trials.filter(
      (r) => r.budget === top && r.objective !== null && r.second !== null && r.second !== undefined,
    );
    pareto = paretoFront(
      candidates.map((r) => [r.objective!, r.second!]),
      [minimise, minimisesHere(second)],
    ).map((i) => candidates[i]);
  }
  const text = [
    `${session.summary.name}: ${trials.length} trials (${spec.sampler}, ${spec.scheduler}) in ${seconds.toFixed(1)} s, ` +
      `objective ${primary} (${minimise ? 'lower' : 'higher'} is better)` +
      (second ? `, and ${second} (${minimisesHere(second) ? 'lower' : 'higher'} is better) for the Pareto front` : '') +
      (stoppedByBudget ? `; its time budget of ${spec.timeBudgetSec} s was spent before its plan ran out` : ''),
    ...trials.map(
      (r) =>
        `  ${String(r.trial + 1).padStart(3)}  config ${String(r.config + 1).padStart(3)}  ${String(r.budget).padStart(5)} steps  ` +
        `${r.objective === null ? (r.error ?? 'no value') : shortNumber(r.objective)}` +
        `${second ? `  ${r.second == null ? '-' : shortNumber(r.second)}` : ''}${r.stoppedEarly ? '  stopped' : ''}  ` +
        JSON.stringify(r.params),
    ),
    best
      ? `best: config ${best.config + 1} at ${best.budget} steps, ${primary} ${best.objective === null ? '-' : shortNumber(best.objective)}: ` +
        JSON.stringify(best.params)
      : 'best: none (every trial failed)',
    ...(second
      ? [
          `Pareto front (${primary}, ${second}):`,
          ...pareto.map(
            (r) =>
              `  config ${r.config + 1}: ${shortNumber(r.objective!)}, ${shortNumber(r.second!)}  ${JSON.stringify(r.params)}`,
          ),
        ]
      : []),
  ].join('\n');
  return {
    json: {
      trials,
      best: best ? { params: best.params, budget: best.budget, objective: best.objective, config: best.config } : null,
      objective: spec.objective,
      minimise,
      stoppedByBudget,
      ...(second ? { pareto } : {}),
      seconds,
    },
    text,
  };
}

/**
 * An objective as the sweep's text shows it: a count (parameters, steps) whole, a large rate
 * rounded to a whole number, anything else to 5 significant digits (the JSON keeps every digit).
 */
export function shortNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 1e4 && Number.isFinite(v)) return v.toFixed(0);
  return v.toPrecision(5);
}
