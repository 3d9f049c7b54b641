import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS, assemble, moduleSource, outputPath } from '../../../../scripts/build-wasm';

describe('committed WebAssembly kernels', () => {
  for (const path of KERNELS) {
    it(`${path} matches its generated module (run npm run build:wasm after editing it)`, async () => {
      const bytes = await assemble(path);
      expect(readFileSync(outputPath(path), 'utf8')).toBe(moduleSource(path, bytes));
    });
  }
});
