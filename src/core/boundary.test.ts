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
    expect(await lint("import { useState } from 'react';\nexport const a = useState;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await lint("import { store } from '../../state/store';\nexport const a = store;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await lint("import { initBackend } from '../../gpu/backend';\nexport const a = initBackend;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await lint("import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await lint('export const t = document.title;\n')).toContain('no-restricted-globals');
  });

  it('refuses dataSync anywhere in src', async () => {
    expect(
      await lint('export const f = (t: { dataSync(): number[] }) => t.dataSync();\n', 'src/workers/probe.ts'),
    ).toContain('no-restricted-syntax');
  });

  it('accepts clean core code and lets the UI import React', async () => {
    expect(
      await lint("import { Rng } from '../data/rng';\nexport const r = new Rng(1);\n", 'src/core/train/probe.ts'),
    ).toEqual([]);
    expect(await lint("import { useState } from 'react';\nexport const a = useState;\n", 'src/ui/probe.ts')).toEqual(
      [],
    );
  });
});

/** The layers above the core: the CLI does not import the workers, the services import nothing above them. */
describe('src/services and src/cli boundaries', () => {
  const eslint = new ESLint();
  const restricted = async (code: string, filePath: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
  };

  it('refuses src/workers, src/state and src/ui in src/cli', async () => {
    expect(
      await restricted(
        "import { createWorkers } from '../../workers/clients';\nexport const a = createWorkers;\n",
        'src/cli/commands/probe.ts',
      ),
    ).toBe(1);
    expect(
      await restricted("import { serve } from '../workers/rpc';\nexport const a = serve;\n", 'src/cli/probe.ts'),
    ).toBe(1);
    expect(
      await restricted("import { store } from '../state/store';\nexport const a = store;\n", 'src/cli/probe.ts'),
    ).toBe(1);
  });

  it('refuses src/workers, src/state, src/ui, src/cli and UI libraries in src/services', async () => {
    expect(
      await restricted("import { serve } from '../workers/rpc';\nexport const a = serve;\n", 'src/services/probe.ts'),
    ).toBe(1);
    expect(
      await restricted("import { store } from '../state/store';\nexport const a = store;\n", 'src/services/probe.ts'),
    ).toBe(1);
    expect(await restricted("import { App } from '../ui/App';\nexport const a = App;\n", 'src/services/probe.ts')).toBe(
      1,
    );
    expect(
      await restricted("import { main } from '../cli/main';\nexport const a = main;\n", 'src/services/probe.ts'),
    ).toBe(1);
    expect(
      await restricted("import { create } from 'zustand';\nexport const a = create;\n", 'src/services/probe.ts'),
    ).toBe(1);
  });

  it(
    'lets the CLI import core, gpu and the services, the services core and gpu, and the workers ' + 'the services',
    async () => {
      const fine = [
        [
          "import { runPipeline } from '../../services/run-pipeline';\nimport { initBackend } from " +
            ("'../../gpu/backend';\nimport { Rng } from '../../core/data/rng';\nexport const a = " +
              '[runPipeline, initBackend, Rng];\n'),
          'src/cli/commands/probe.ts',
        ],
        [
          "import { initBackend } from '../gpu/backend';\nimport { Rng } from '../core/data/rng';\nimport { " +
            "transfer } from './transfer';\nexport const a = [initBackend, Rng, transfer];\n",
          'src/services/probe.ts',
        ],
        [
          "import { createDataService } from '../services/data-service';\nexport const a = createDataService;\n",
          'src/workers/probe.ts',
        ],
      ];
      for (const [code, filePath] of fine) expect(await restricted(code, filePath)).toBe(0);
    },
  );
});
