/**
 * `npm run bench -- <stage> [flags]`: runs one benchmark (each is its own script, in its own
 * process, so one stage's garbage never slows another). Without a stage, lists them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const STAGES: Record<string, string> = {
  ingest: 'Parquet ingest against hyparquet and parquet-wasm',
  csv: 'CSV reading against papaparse and d3-dsv',
  tfrecord: 'TFRecord reading against @roboflow/tfrecords and google-protobuf',
  index: 'k-d tree, hash index and Bloom filter against kdbush, static-kdtree and bloom-filters',
  range: 'the range index (static B+-tree) against sorted-btree and a column scan',
  trainer: 'the training loop against plain tfjs (CPU)',
  engine: 'the WGSL engine against plain tfjs-webgpu (Dawn)',
  sparse: "the WGSL engine's CSR kernels for pruned layers against its dense products (Dawn)",
  zstd: 'the zstd decoder against fzstd',
  'parquet-delta': 'DELTA_BINARY_PACKED INT64 columns (row numbers, wide values, IDs past 2^53) against hyparquet',
  gzip: "the gzip inflater with its CRC-32 check against hyparquet-compressors' gunzip",
  'gzip-bomb': "refusing a gzip bomb (1.1 MB to 1.1 GB) against zlib.gunzipSync's maxOutputLength",
  'zstd-checksum': 'zstd frames with and without their content checksum',
  'browser-load': 'pick-to-schema time in Chromium (needs vite preview on port 4179; a figure, no anchor)',
};

const [stage, ...rest] = process.argv.slice(2);
if (!stage || stage === '--help' || stage === '-h' || !(stage in STAGES)) {
  const list = Object.entries(STAGES)
    .map(([k, v]) => `  ${k.padEnd(14)} ${v}`)
    .join('\n');
  const out =
    `usage: npm run bench -- <stage> [--json] [flags of the ` +
    (`stage]\n\nstages:\n${list}\n\nThe GPU benchmark runs on the GPU machine: npm run bench:gpu:bundle ` +
      `(docs/gpu.md).\n`);
  if (stage && stage !== '--help' && stage !== '-h') {
    process.stderr.write(`bench: unknown stage "${stage}"\n${out}`);
    process.exit(2);
  }
  process.stdout.write(out);
  process.exit(0);
}
const script = `bench/${stage}.ts`;
if (!existsSync(script)) {
  process.stderr.write(`bench: ${script} is missing\n`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
