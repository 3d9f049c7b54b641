/** Minimal argument parsing for the CLI: positionals, `--flag`, `--key value` and `--key=value`. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set(['json', 'debug', 'help', 'bloom', 'stream', 'quiet', 'augment-flip', 'no-data']);

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
