/**
 * The wgsl engine's CSR kernels for pruned layers against its own dense products on the same
 * layer, in one Node process on Dawn (#17). Layer: 1024 x 1024 inside an MLP 1024-1024-1024-10,
 * batch 128. At 50, 90 and 99 % sparsity (random masks, seeded), the engine's mask update times
 * the layer's three products (forward, weight gradient at kept positions, input gradient)
 * dense and sparse; repeated `reps` times, medians and the ratio. Then whole training steps of
 * the same model with every pruned layer forced dense and forced sparse. Goal: sparse faster
 * from 90 %, at least 5x at 99 %; where it is slower the engine stays dense (its own choice).
 *
 *   npx tsx bench/sparse.ts [--json] [--reps N]
 *   (no GPU: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 */
import { openEngineGpu } from '../src/gpu/engine/device';
import { benchArgs, machineLine } from './harness';
import { measureSparse, sparseTable } from './sparse-workload';
import { startWebGpu } from './trainer-workloads';

const { asJson, flag } = benchArgs();
const REPS = Math.max(1, Number(flag('--reps', '5')));
const log = (m: string) => process.stderr.write(`[sparse] ${m}\n`);

const env = await startWebGpu(log);
if (!env) process.exit(1);
const gpu = await openEngineGpu();
if ('reason' in gpu) {
  log(gpu.reason);
  process.exit(1);
}
const rows = await measureSparse(
  gpu,
  { width: 1024, batch: 128, reps: REPS, steps: 6, sparsities: [0.5, 0.9, 0.99] },
  log,
);
const adapter = env.adapter ? `${env.adapter.vendor} ${env.adapter.architecture}` : 'unknown adapter';
if (asJson) process.stdout.write(JSON.stringify({ machine: machineLine(), adapter, reps: REPS, rows }, null, 2) + '\n');
else process.stdout.write(sparseTable(rows, REPS, `${machineLine()} · ${adapter}`) + '\n');
gpu.device.destroy();
process.exit(0);
