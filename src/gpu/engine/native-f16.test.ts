/**
 * The native float16 path (`enable f16;`, arrays of f16) on an adapter that has `shader-f16`:
 * Mesa 25's lavapipe, unpacked by scripts/ensure-lavapipe.sh (SwiftShader has no shader-f16).
 * Its env only counts for a process started with it, so kernels.test.ts, conv.test.ts and prepare.test.ts run again in
 * a child Vitest with TRAINBENCH_NATIVE_F16=1, where they add the native format to their float64 checks.
 * lavapipe proves the code path (compiles, binds, stores and loads f16), not NVIDIA's rounding.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lavapipeEnv } from '../lavapipe-env';

const env = lavapipeEnv();

describe('native float16 path on lavapipe', () => {
  it.skipIf(!env)(
    'passes the float64 kernel checks in f32, packed and native',
    () => {
      const r = spawnSync(
        process.execPath,
        [
          'node_modules/vitest/vitest.mjs',
          'run',
          'src/gpu/engine/kernels.test.ts',
          'src/gpu/engine/conv.test.ts',
          'src/gpu/engine/prepare.test.ts',
          '--reporter=verbose',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, ...env, TRAINBENCH_NATIVE_F16: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
          timeout: 240_000,
        },
      );
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.status, out.slice(-3000)).toBe(0);
      expect(out).toMatch(/one step against float64, '?fp16 native'? > 784-40-10/);
      expect(out).toMatch(/convolution kernels against float64 > native f16 3x8x9x6/);
      expect(out).toMatch(/depthwise convolution and global average pool against float64 > native 1x9x8x6/);
      expect(out).toMatch(/batches prepared on the GPU > native: mixed columns as the worker encodes them/);
      expect(out).not.toMatch(/skipped/);
    },
    250_000,
  );
});
