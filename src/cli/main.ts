/**
 * Trainbench's command line: the same core as the workbench, headless.
 *   npm run cli -- <command> [args] [--json] [--debug]
 * With --json, stdout holds exactly one JSON document; progress and errors go to stderr.
 * Exit codes: 0 success, 1 bad input (file, config, data), 2 usage error.
 */
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { inspect } from './commands/inspect';
import { dedup } from './commands/dedup';
import { knn } from './commands/knn';
import { train, trainHelp } from './commands/train';

type Command = (args: ParsedArgs) => Promise<{ json: unknown; text: string }>;

const COMMANDS: Record<string, { run: Command; usage: string; help?: () => string }> = {
  inspect: { run: inspect, usage: 'inspect FILE [--json]   describe a Parquet, Arrow, CSV or JSON file' },
  dedup: { run: dedup, usage: 'dedup FILE [--bloom [--fpr P]] [--columns a,b] [--json]   count repeated rows (hash index, or a Bloom filter)' },
  knn: { run: knn, usage: 'knn FILE --k K --row I [--label L] [--features a,b] [--json]   nearest rows to a row (KD-tree)' },
  train: { run: train, help: trainHelp, usage: 'train --data FILE [--config CFG] [--label --model --optimizer --lr --epochs --batch --backend --engine tfjs|wgsl --precision fp32|fp16-mixed --dedup none|exact|bloom --stream] [--json]   train one configuration, print its run record' },
};

function usage(): string {
  return ['usage: npm run cli -- <command> [args] [--json] [--debug]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const args = parseArgs(rest);
  const debug = args.flags.has('debug');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  // Every command answers --help and -h with its usage (exit 0), whatever else is on the line.
  if (args.flags.has('help') || rest.includes('-h')) {
    process.stdout.write(`${command.help ? command.help() : `usage: npm run cli -- ${command.usage}`}\n`);
    return 0;
  }
  try {
    const { json, text } = await command.run(args);
    process.stdout.write(args.flags.has('json') ? `${JSON.stringify(json)}\n` : `${text}\n`);
    return 0;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`${err.message.split('\n')[0]}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
