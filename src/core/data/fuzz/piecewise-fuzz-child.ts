/**
 * Child process of the piecewise fuzz test: damaged Parquet and Arrow files read piece by piece
 * from a source (source-chunks.ts, how a file larger than memory trains), each against the
 * whole-file read of the same bytes: where the whole read gives tables, the pieces must be the
 * same tables or a DataError; where it refuses, the pieces must be a DataError or well-formed
 * tables (the piecewise path reads only what it needs: a damaged Arrow footer block it never
 * looks at is no error there). One JSON line per case (cases.ts).
 *   node --import tsx src/core/data/fuzz/piecewise-fuzz-child.ts SEED CASES < sources.json
 */
import { readChunks } from '../chunks';
import { Rng } from '../rng';
import { bytesSource, openChunked } from '../source-chunks';
import { DataError, type Column, type DataTable } from '../table';
import { tableProblems, type CaseLine } from './cases';
import { mutateBytes } from './mutate';

const [seed, cases] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);

const chunks: Uint8Array[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
const sources = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; base64: string }[]).map((s) => ({
  name: s.name,
  bytes: new Uint8Array(Buffer.from(s.base64, 'base64')),
}));
const enc = (s: string) => new TextEncoder().encode(s);
const SPECIAL = [
  enc('PAR1'),
  enc('ARROW1\0\0'),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0, 0, 0, 0),
  Uint8Array.of(0xff, 0xff, 0xff, 0x7f),
  Uint8Array.of(0, 0, 0, 0x80),
];

function sameColumn(a: Column, b: Column): boolean {
  if (a.name !== b.name || a.kind !== b.kind) return false;
  if (a.kind === 'categorical' && b.kind === 'categorical') {
    if (a.codes.length !== b.codes.length) return false;
    for (let i = 0; i < a.codes.length; i++) {
      const x = a.codes[i] < 0 ? null : a.dictionary[a.codes[i]];
      const y = b.codes[i] < 0 ? null : b.dictionary[b.codes[i]];
      if (x !== y) return false;
    }
    return true;
  }
  if (a.kind !== 'numeric' || b.kind !== 'numeric' || a.values.length !== b.values.length) return false;
  for (let i = 0; i < a.values.length; i++) {
    const va = a.valid === null || a.valid[i] === 1;
    const vb = b.valid === null || b.valid[i] === 1;
    if (va !== vb) return false;
    if (va && !Object.is(a.values[i], b.values[i])) return false;
  }
  return true;
}

function sameTables(a: DataTable[], b: DataTable[]): string {
  if (a.length !== b.length) return `${b.length} pieces where the whole read has ${a.length}`;
  for (let k = 0; k < a.length; k++) {
    if (a[k].rows !== b[k].rows || a[k].columns.length !== b[k].columns.length)
      return `piece ${k}: ${b[k].rows} rows x ${b[k].columns.length} columns, whole ${a[k].rows} x ${a[k].columns.length}`;
    for (let c = 0; c < a[k].columns.length; c++)
      if (!sameColumn(a[k].columns[c], b[k].columns[c])) return `piece ${k}: column ${a[k].columns[c].name} differs`;
  }
  return '';
}

for (let i = 0; i < cases; i++) {
  const src = sources[i % sources.length];
  const bytes = i < sources.length ? src.bytes : mutateBytes(rng, src.bytes, SPECIAL);
  let whole: DataTable[] | null = null;
  try {
    whole = [...readChunks(bytes, src.name)];
  } catch (e) {
    if (!(e instanceof DataError)) whole = null;
  }
  let outcome = 'table';
  let message = '';
  const t0 = performance.now();
  let ms = 0;
  try {
    const file = await openChunked(bytesSource(bytes), src.name);
    if (!file) throw new DataError(`${src.name}: not Parquet or Arrow`);
    const pieces: DataTable[] = [];
    for (let k = 0; ; k++) {
      const p = await file.read(k);
      if (!p) break;
      pieces.push(p.table);
    }
    ms = performance.now() - t0;
    message =
      pieces
        .filter((p) => p.rows > 0)
        .map(tableProblems)
        .find(Boolean) ?? (whole ? sameTables(whole, pieces) : '');
    if (message) outcome = 'bad table';
  } catch (e) {
    ms ||= performance.now() - t0;
    outcome = e instanceof DataError ? 'DataError' : e instanceof Error ? e.name : typeof e;
    message = e instanceof Error ? e.message : String(e);
    if (outcome === 'DataError' && !message.startsWith(`${src.name}: `)) {
      outcome = 'bad message';
      message = `does not name the file: ${message}`;
    }
  }
  const line: CaseLine = { i, outcome, message: message.slice(0, 2000), bytes: bytes.length, ms: Math.round(ms) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
