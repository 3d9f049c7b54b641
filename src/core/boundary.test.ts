import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The lint rules that keep src/core pure actually fire (and stay quiet on clean code). */
describe('src/core boundary', () => {
  const eslint = new ESLint();
  const lint = async (code: string, filePath = 'src/core/data/probe.ts') => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((m) => m.ruleId);
  };

  it('refuses React, the DOM, upper layers and node modules in src/core', async () => {
    expect(await lint("import { useState } from 'react';\nexport const a = useState;\n")).toContain('no-restricted-imports');
    expect(await lint("import { store } from '../../state/store';\nexport const a = store;\n")).toContain('no-restricted-imports');
    expect(await lint("import { initBackend } from '../../gpu/backend';\nexport const a = initBackend;\n")).toContain('no-restricted-imports');
    expect(await lint("import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await lint('export const t = document.title;\n')).toContain('no-restricted-globals');
  });

  it('refuses dataSync anywhere in src', async () => {
    expect(await lint('export const f = (t: { dataSync(): number[] }) => t.dataSync();\n', 'src/workers/probe.ts')).toContain('no-restricted-syntax');
  });

  it('accepts clean core code and lets the UI import React', async () => {
    expect(await lint("import { Rng } from '../data/rng';\nexport const r = new Rng(1);\n", 'src/core/train/probe.ts')).toEqual([]);
    expect(await lint("import { useState } from 'react';\nexport const a = useState;\n", 'src/ui/probe.ts')).toEqual([]);
  });
});
