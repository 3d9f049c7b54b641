import { defineConfig } from 'vitest/config';
import { swiftShaderEnv } from './src/gpu/node-webgpu';

// WebGPU tests run on Dawn (npm "webgpu"). Without a GPU Dawn needs SwiftShader's Vulkan driver,
// and a Vulkan loader found through LD_LIBRARY_PATH, which only counts for a process started
// with it: set here, it is inherited by the forked test workers. A machine with its own driver
// (VK_ICD_FILENAMES already set) is left alone.
if (!process.env.VK_ICD_FILENAMES) Object.assign(process.env, swiftShaderEnv());

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
