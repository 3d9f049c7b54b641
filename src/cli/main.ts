/**
 * Trainbench's command line: the same core as the workbench, headless.
 *   npm run cli -- <command> [args] [--json] [--debug] [--time-limit SECONDS]
 * With --json, stdout holds exactly one JSON document; progress and errors go to stderr.
 * Exit codes: 0 success, 1 bad input (file, config, data), 2 usage error. A failure is one
 * line on stderr, `<command>: <file or field>: <what is wrong>` (errors.ts); --debug adds the
 * stack. Data files are decoded in a worker thread under a time limit (decode.ts), and the
 * process ends when the command that launched it is killed (parent-watch.ts).
 */
import {
  checkCommandFlags,
  checkKnownFlags,
  fileArg,
  parseArgs,
  timeLimitSeconds,
  UsageError,
  type ParsedArgs,
} from './args';
import { DEFAULT_TIME_LIMIT_S } from './decode';
import { describeFailure } from './errors';
import { watchLauncher } from './parent-watch';

type Run = (args: ParsedArgs) => Promise<{ json: unknown; text: string; failure?: string }>;

/** Commands load on first use: `inspect` does not wait for TensorFlow.js to load. */
const COMMANDS: Record<string, { load: () => Promise<Run>; usage: string; help?: () => Promise<string> }> = {
  inspect: {
    load: async () => (await import('./commands/inspect')).inspect,
    usage:
      'inspect FILE [--where F] [--group G] [--json]   describe a Parquet, Arrow, CSV, JSON, TFRecord or HDF5 file (its rows the filter keeps; G: the HDF5 group)',
  },
  dedup: {
    load: async () => (await import('./commands/dedup')).dedup,
    usage:
      'dedup FILE [--bloom [--fpr P]] [--columns a,b] [--where F] [--json]   count repeated rows (hash index, or a ' +
      'Bloom filter)',
  },
  knn: {
    load: async () => (await import('./commands/knn')).knn,
    usage: 'knn FILE --k K --row I [--label L] [--features a,b] [--where F] [--json]   nearest rows to a row (KD-tree)',
  },
  train: {
    load: async () => (await import('./commands/train')).train,
    help: async () => (await import('./commands/train')).trainHelp(),
    usage:
      'train --data FILE [--config CFG] [--label --task --model --optimizer --lr --epochs --batch --backend ' +
      ('--engine tfjs|wgsl --precision fp32|fp16-mixed --dedup none|exact|bloom --where F --stream] [--json]   train ' +
        'one configuration, print its run record'),
  },
  sweep: {
    load: async () => (await import('./commands/sweep')).sweep,
    help: async () => (await import('./commands/sweep')).sweepHelp(),
    usage:
      'sweep --config CFG --data FILE [--json]   tune a configuration: a search space, random or TPE sampling, ' +
      'successive halving or Hyperband (CFG holds a "sweep" object)',
  },
  quantize: {
    load: async () => (await import('./commands/quantize')).quantize,
    help: async () => (await import('./commands/quantize')).quantizeHelp(),
    usage:
      "quantize RUN_RECORD --data FILE [--json]   a run's model as f16, int8 weights and int8 activations, " +
      'evaluated beside the float model',
  },
  export: {
    load: async () => (await import('./commands/export')).exportRun,
    help: async () => (await import('./commands/export')).exportHelp(),
    usage:
      'export RUN_RECORD --to onnx|tfjs|pytorch --out DIR [--data FILE | --no-data] [--json]   write a trained run as ' +
      'ONNX, tfjs or a PyTorch DDP job (a config with --data FILE is trained first)',
  },
};

const GLOBAL_FLAGS = [
  'flags of every command:',
  '  --json                 one JSON document on stdout, nothing else',
  '  --debug                a failure prints its stack trace after the one-line message',
  `  --time-limit SECONDS   stop decoding the data file after this long, as bad input (exit ` +
    `1; default ${DEFAULT_TIME_LIMIT_S})`,
  '',
  'exit codes: 0 success, 1 bad input (one line on stderr naming the file or field and what is wrong), 2 usage error',
].join('\n');

const COMMAND_LIST = `commands: ${Object.keys(COMMANDS).join(', ')}; npm run cli -- --help for usage`;

function usage(): string {
  return [
    'usage: npm run cli -- <command> [args] [--json] [--debug] [--time-limit SECONDS]',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
    GLOBAL_FLAGS,
  ].join('\n');
}

/** What a failure outside `main`'s own try (an uncaught exception, say) is reported as. */
const current: { command: string; file: string | null; debug: boolean } = {
  command: 'cli',
  file: null,
  debug: process.argv.includes('--debug'),
};

function fail(e: unknown): number {
  const { line, code, detail } = describeFailure(current.command, current.file, e);
  process.stderr.write(`${line}\n`);
  if (current.debug && detail) process.stderr.write(`${detail}\n`);
  return code;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!name || name.startsWith('-')) return fail(new UsageError(`needs a command first (${COMMAND_LIST})`));
  if (name === 'bench')
    return fail(new UsageError('benchmarks run as scripts: npx tsx bench/<stage>.ts (see the README, Benchmarks)'));
  const command = COMMANDS[name];
  if (!command) return fail(new UsageError(`unknown command "${name}" (${COMMAND_LIST})`));
  current.command = name;
  try {
    const args = parseArgs(rest);
    current.file = fileArg(args);
    // Every command answers --help and -h with its usage (exit 0), whatever else is on the line.
    if (args.flags.has('help') || rest.includes('-h')) {
      process.stdout.write(
        `${command.help ? await command.help() : `usage: npm run cli -- ${command.usage}\n\n${GLOBAL_FLAGS}`}\n`,
      );
      return 0;
    }
    checkKnownFlags(args);
    checkCommandFlags(name, args);
    timeLimitSeconds(args, DEFAULT_TIME_LIMIT_S);
    const run = await command.load();
    const { json, text, failure } = await run(args);
    process.stdout.write(args.flags.has('json') ? `${JSON.stringify(json)}\n` : `${text}\n`);
    // A command that ran but whose result is a failure (a training run that diverged): its output
    // stands, and the exit code and one line on stderr say it failed.
    if (failure) {
      process.stderr.write(`${name}: ${failure}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    return fail(e);
  }
}

watchLauncher();
// Whatever escapes a command (a rejection in a callback, say) is still one line, not a stack trace.
process.on('uncaughtException', (e) => process.exit(fail(e)));
process.on('unhandledRejection', (e) => process.exit(fail(e)));
// A reader of stdout that went away (`| head`) ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));

main(process.argv.slice(2)).then((code) => {
  // A failure ends the process now: a stopped decode or a half-built trainer may hold handles.
  if (code !== 0) process.exit(code);
  process.exitCode = code;
});
