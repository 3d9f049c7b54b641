import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WGSL_MODULE, wgslModule } from '../../../scripts/build-wgsl';

describe('WGSL sources', () => {
  it('the committed sources.ts holds the current .wgsl files (run npm run build:wgsl after editing one)', () => {
    expect(readFileSync(WGSL_MODULE, 'utf8')).toBe(wgslModule());
  });
});
