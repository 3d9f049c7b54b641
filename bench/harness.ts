/** Pieces every benchmark shares: the result row, its summary of repeated timings, the machine line. */
import { arch, cpus, platform, totalmem } from 'node:os';

/** One row of a benchmark's `results` (see docs/interfaces.md, `bench <stage>`). */
export interface Result {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: string;
}

/** Median, min and max of repeated timings (ms), rounded to `decimals`. */
export function summarise(name: string, ms: readonly number[], decimals = 1): Result {
  const xs = [...ms].sort((a, b) => a - b);
  const f = 10 ** decimals;
  const round = (x: number) => Math.round(x * f) / f;
  return {
    name,
    median: round(xs[Math.floor(xs.length / 2)]),
    min: round(xs[0]),
    max: round(xs[xs.length - 1]),
    unit: 'ms',
  };
}

/** The machine, written next to every figure: CPU, cores, memory, OS, Node. */
export function machineLine(): string {
  return `${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${arch()}, Node ${process.version}`;
}

/** The command line of a benchmark: `--json`, and `flag('--name', default)` for valued flags. */
export function benchArgs(argv: string[] = process.argv.slice(2)): {
  asJson: boolean;
  has: (name: string) => boolean;
  flag: (name: string, dflt: string) => string;
} {
  return {
    asJson: argv.includes('--json'),
    has: (name) => argv.includes(name),
    flag: (name, dflt) => {
      const i = argv.indexOf(name);
      return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
    },
  };
}

/**
 * Times each case `warmup + reps` times, the cases alternating in order (forwards, then
 * backwards) within each repetition so drift on a noisy machine falls on all of them alike;
 * returns each case's times after the warm-up, ms.
 */
export function alternating(
  cases: readonly (readonly [string, () => void])[],
  warmup: number,
  reps: number,
  tag: string,
): number[][] {
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < warmup + reps; r++) {
    const order = r % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => i).reverse();
    for (const i of order) {
      const t = performance.now();
      cases[i][1]();
      if (r >= warmup) times[i].push(performance.now() - t);
    }
    process.stderr.write(`[${tag}] repetition ${r + 1}/${warmup + reps}\n`);
  }
  return times;
}
