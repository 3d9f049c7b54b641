/** Test helper: runs the CLI as `npm run cli` does (tsx's loader, then main.ts), with a hard stop at 120 s. */
import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, ms. */
  ms: number;
}

export function runCli(args: string[]): Promise<CliResult> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
}

/** Runs any command (`npm run --silent cli -- ...` as the README shows it) the same way. */
export function runCommand(command: string, args: string[]): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/**
 * The arguments of a `train` the CLI tests share: `data` on the tfjs cpu backend for `epochs`
 * epochs (and `seed`), printing the run record alone (--json --quiet), then `extra`.
 */
export function cpuTrainArgs(data: string, o: { epochs: number; seed?: number }, extra: string[] = []): string[] {
  const seed = o.seed === undefined ? [] : ['--seed', String(o.seed)];
  return [
    'train',
    '--data',
    data,
    '--epochs',
    String(o.epochs),
    ...seed,
    '--backend',
    'cpu',
    '--json',
    '--quiet',
    ...extra,
  ];
}
