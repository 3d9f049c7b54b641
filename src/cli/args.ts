/** Minimal argument parsing for the CLI: positionals, `--flag`, `--key value` and `--key=value`. */
import { editDistance } from '../core/data/names';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set(['json', 'debug', 'help', 'bloom', 'stream', 'quiet', 'augment-flip', 'no-data']);

/** Flags every command takes. */
const GLOBAL_FLAGS = ['json', 'debug', 'help', 'time-limit'];

/** What `train` reads (and `sweep`, which trains, and `export` of a config, which trains first). */
export const TRAIN_FLAGS = [
  'augment-flip',
  'augment-pad',
  'backend',
  'batch',
  'config',
  'data',
  'dedup',
  'engine',
  'epochs',
  'features',
  'group',
  'hidden',
  'input-shape',
  'label',
  'lr',
  'max-seconds',
  'max-steps',
  'model',
  'optimizer',
  'precision',
  'prefetch',
  'prepare-on',
  'quiet',
  'seed',
  'stream',
  'target-loss',
  'task',
  'where',
];

/**
 * The flags each command reads besides the global ones. A flag of another command is refused,
 * not ignored: `train --features a,b` once trained on the default features, `inspect --epochs 5`
 * said nothing.
 */
export const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  inspect: ['where', 'group'],
  dedup: ['bloom', 'fpr', 'columns', 'where', 'group'],
  knn: ['k', 'row', 'label', 'features', 'where', 'group'],
  train: TRAIN_FLAGS,
  sweep: TRAIN_FLAGS,
  quantize: ['data', 'group', 'no-data'],
  export: ['to', 'out', 'no-data', 'quantize', ...TRAIN_FLAGS],
};

/**
 * Every flag some command reads. A flag outside this list is refused before anything runs
 * (`--batch-size` for `--batch` used to be ignored: the run trained with the default batch).
 */
export const KNOWN_FLAGS = new Set([...GLOBAL_FLAGS, ...Object.values(COMMAND_FLAGS).flat()]);

/** What a flag's value is, for the message when it is missing. */
const VALUE_HINTS: Readonly<Record<string, string>> = {
  where: 'a filter, such as --where "delay > 30 and distance < 800"',
  columns: 'column names, such as --columns a,b',
  features: 'column names, such as --features a,b',
  label: 'the name of the column to predict',
  task: 'classification or regression',
  data: 'a data file',
  config: 'a config file (JSON)',
};

/** Refuses a flag no command reads, naming the nearest known one when it is a likely typo. */
export function checkKnownFlags(args: ParsedArgs): void {
  for (const flag of args.flags.keys()) {
    if (KNOWN_FLAGS.has(flag)) continue;
    const near = [...KNOWN_FLAGS].map((k) => ({ k, d: editDistance(flag, k) })).sort((a, b) => a.d - b.d)[0];
    const prefix = [...KNOWN_FLAGS].find((k) => flag.startsWith(k) || k.startsWith(flag));
    const hint = prefix ?? (near && near.d <= 2 ? near.k : null);
    throw new UsageError(`unknown flag --${flag}${hint ? ` (did you mean --${hint}?)` : ''}; --help lists the flags`);
  }
  // A flag that takes a value, given none (`--columns` last, or before another flag), would read as
  // absent and run with the default; a switch given one (`--stream=false`) would read as on.
  for (const [flag, value] of args.flags) {
    if (BOOLEAN_FLAGS.has(flag) && value !== true)
      throw new UsageError(`--${flag} is a switch and takes no value, got "${value}" (leave the flag out for off)`);
    if (!BOOLEAN_FLAGS.has(flag) && (value === true || value === ''))
      throw new UsageError(`--${flag} needs ${VALUE_HINTS[flag] ?? 'a value; --help shows what it takes'}`);
  }
}

/** Refuses a known flag that `command` does not read, saying which commands do (after `checkKnownFlags`). */
export function checkCommandFlags(command: string, args: ParsedArgs): void {
  const own = COMMAND_FLAGS[command];
  if (!own) return;
  for (const flag of args.flags.keys()) {
    if (GLOBAL_FLAGS.includes(flag) || own.includes(flag)) continue;
    const readers = Object.keys(COMMAND_FLAGS).filter((c) => COMMAND_FLAGS[c].includes(flag));
    throw new UsageError(
      `${command} does not take --${flag} (${readers.join(', ')} ${readers.length === 1 ? 'does' : 'do'}); ` +
        (own.length > 8
          ? `npm run cli -- ${command} --help lists the flags it takes`
          : `${command} takes ${own.map((f) => `--${f}`).join(' ')}`),
    );
  }
}

/**
 * A flag holding column names separated by commas (`--columns a,b`), trimmed; undefined when not
 * given. An empty name (`a,,b`) or a name given twice is refused: it would be read as no column,
 * or weigh that column twice.
 */
export function nameListFlag(args: ParsedArgs, flag: string): string[] | undefined {
  const v = args.flags.get(flag);
  if (typeof v !== 'string') return undefined;
  const names = v.split(',').map((n) => n.trim());
  if (names.some((n) => n === ''))
    throw new UsageError(`--${flag} holds an empty name (it takes names separated by commas: --${flag} a,b)`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--${flag} names "${twice}" twice`);
  return names;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(key, a.slice(eq + 1));
    else if (BOOLEAN_FLAGS.has(key) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) flags.set(key, true);
    else flags.set(key, argv[++i]);
  }
  return { positionals, flags };
}

/** `--time-limit SECONDS`: how long a decode may run (a number above 0), or `fallback`. */
export function timeLimitSeconds(args: ParsedArgs, fallback: number): number {
  const v = args.flags.get('time-limit');
  if (v === undefined) return fallback;
  const s = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!(s > 0) || !Number.isFinite(s))
    throw new UsageError(
      `--time-limit needs a number of seconds above 0, got ${v === true ? 'nothing' : JSON.stringify(v)}`,
    );
  return s;
}

/** The data file a command reads: `--data FILE` (train) or the first positional argument; null when none is given. */
export function fileArg(args: ParsedArgs): string | null {
  const data = args.flags.get('data');
  return typeof data === 'string' ? data : (args.positionals[0] ?? null);
}
