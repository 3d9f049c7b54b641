/**
 * Child process of the Arrow fuzz test: reads seeded, damaged Arrow IPC files and streams with
 * the project's reader and prints one JSON line per case (`{ i, outcome, message }`), so the
 * parent can tell a hang (the child times out, its last line names the case) from an error.
 *   node --import tsx src/core/data/fuzz/arrow-fuzz-child.ts SEED CASES [DUMP] < corpus.json
 */
import {
  Bool,
  DateDay,
  Dictionary,
  Float32,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { readTable } from '../read';
import { Rng } from '../rng';
import { DataError } from '../table';

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);

function base(): Table {
  const n = 40;
  const part = new Table({
    f64: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i * 0.5)),
      new Float64(),
    ),
    f32: vectorFromArray(
      Array.from({ length: n }, (_, i) => i / 3),
      new Float32(),
    ),
    i32: vectorFromArray(
      Array.from({ length: n }, (_, i) => i - 20),
      new Int32(),
    ),
    i64: vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(i) * 1000n),
      new Int64(),
    ),
    b: vectorFromArray(
      Array.from({ length: n }, (_, i) => i % 3 === 0),
      new Bool(),
    ),
    s: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `v${i % 6}`)),
      new Utf8(),
    ),
    d: vectorFromArray(
      Array.from({ length: n }, (_, i) => ['x', 'y', 'z'][i % 3]),
      new Dictionary(new Utf8(), new Int32()),
    ),
    day: vectorFromArray(
      Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i))),
      new DateDay(),
    ),
    ts: vectorFromArray(
      Array.from({ length: n }, (_, i) => new Date(Date.UTC(2020, 0, 1, 0, i))),
      new TimestampMillisecond(),
    ),
  });
  return part.concat(part).concat(part);
}

/** One seeded mutation of `src`: bit flips, an overwritten 32-bit field, a cut, or a chunk inserted or removed. */
function mutate(src: Uint8Array): Uint8Array {
  const b = src.slice();
  switch (rng.int(5)) {
    case 0: {
      for (let k = 1 + rng.int(8); k > 0; k--) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 1: {
      const at = rng.int(b.length - 4) & ~3;
      const v = [0x7fffffff, -0x80000000, -1, 0, 1 << 30, -2_000_000_000, rng.nextU32() | 0][rng.int(7)];
      new DataView(b.buffer).setInt32(at, v, true);
      return b;
    }
    case 2:
      return b.slice(0, rng.int(b.length));
    case 3: {
      const at = rng.int(b.length);
      const extra = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b.subarray(0, at));
      out.set(extra, at);
      out.set(b.subarray(at), at + extra.length);
      return out;
    }
    default: {
      const at = rng.int(b.length);
      const len = 1 + rng.int(Math.min(64, b.length - at));
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + len), at);
      return out;
    }
  }
}

const table = base();
/**
 * Conformance files from the parent on stdin (JSON: `[{ name, base64 }]`; LZ4_FRAME and ZSTD
 * bodies, decimals, structs and fixed-size lists); none when stdin is empty.
 */
async function readCorpus(): Promise<[Uint8Array, string][]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  const list = text ? (JSON.parse(text) as { name: string; base64: string }[]) : [];
  return list.map((s) => [
    new Uint8Array(Buffer.from(s.base64, 'base64')),
    s.name.endsWith('.stream') ? 'fuzz.arrows' : 'fuzz.arrow',
  ]);
}
const corpus = await readCorpus();
const sources: [Uint8Array, string][] = [
  [tableToIPC(table, 'file'), 'fuzz.arrow'],
  [tableToIPC(table, 'stream'), 'fuzz.arrows'],
  ...corpus,
];
for (let i = 0; i < cases; i++) {
  // Half the cases damage the generated table, half the conformance files.
  const [src, name] = i % 4 < 2 || corpus.length === 0 ? sources[i % 2] : sources[2 + rng.int(corpus.length)];
  const bytes = mutate(src);
  // A third argument writes that case's bytes to stdout instead (to study a failure).
  if (dump === i) {
    process.stdout.write(Buffer.from(bytes).toString('base64'));
    break;
  }
  let outcome = 'read';
  let message = '';
  try {
    readTable(bytes, name);
  } catch (e) {
    outcome = e instanceof DataError ? 'DataError' : (e as Error).name;
    message = (e as Error).message;
  }
  process.stdout.write(`${JSON.stringify({ i, outcome, message })}\n`);
  if (process.env.FUZZ_HEAP && i % Number(process.env.FUZZ_HEAP) === 0)
    process.stderr.write(`${i} ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB\n`);
}
