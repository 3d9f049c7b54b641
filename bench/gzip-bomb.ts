/**
 * Refusing a gzip bomb: a 1.1 MB stream of 1.1 GB of zeros whose trailer lies about its size
 * (so the first buffer is small), read by the gzip reader of `.tfrecord.gz` files with its
 * 1 GiB limit, against Node's zlib.gunzipSync with `maxOutputLength` at the same limit (what a
 * Node user would pick; native code). Both must refuse it; each is timed alternating (warm-up,
 * repetitions, median) and the ratio printed. Trainbench measures the member that outgrows its
 * buffer by decoding its symbols without writing its bytes.
 *
 *   npx tsx bench/gzip-bomb.ts [--reps N] [--json]
 */
import { loadavg } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { gunzip } from '../src/core/data/parquet/gzip';
import { alternating, benchArgs, machineLine, summarise } from './harness';

const args = benchArgs();
const REPS = Math.max(3, Number(args.flag('--reps', '5')));
const LIMIT = 1 << 30;
const bomb = new Uint8Array(gzipSync(new Uint8Array(1100 << 20)));
bomb.set([1, 0, 0, 0], bomb.length - 4);

const refuses = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch {
    return true;
  }
};
const ours = () => gunzip(bomb, LIMIT);
const zlib = () => gunzipSync(bomb, { maxOutputLength: LIMIT });
if (!refuses(ours) || !refuses(zlib)) throw new Error('both readers must refuse the bomb');
const cases = [
  ['trainbench gunzip (limit 1 GiB)', () => void refuses(ours)],
  ['zlib.gunzipSync (maxOutputLength 1 GiB)', () => void refuses(zlib)],
] as const;
const times = alternating(cases, 1, REPS, 'gzip-bomb');
const results = cases.map(([name], i) => summarise(name, times[i]));
const ratio = results[1].median / results[0].median;
if (args.asJson) {
  console.log(
    JSON.stringify({ stage: 'gzip-bomb', machine: machineLine(), results, ratios: { zlibOverTrainbench: ratio } }),
  );
} else {
  console.log(
    `A gzip bomb of ${bomb.length} bytes (1.1 GB of zeros, trailer lying); ${REPS} reps after 1 warm-up, on ` +
      `${machineLine()}, load average ${loadavg()[0].toFixed(1)} at the end`,
  );
  for (const r of results)
    console.log(
      `${r.name.padEnd(44)} ${r.median.toFixed(1).padStart(8)} ${r.min.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)}  ms`,
    );
  console.log(`zlib / trainbench: ${ratio.toFixed(1)}x (both refuse it)`);
}
