/**
 * Gathers the PyTorch export's Python files (src/core/export/pytorch/*.py) into one TypeScript
 * module of strings (src/core/export/pytorch/sources.ts), so the CLI and the trainer worker
 * write them without reading files. Run after editing a .py file: `npm run build:python`. A
 * unit test fails when the module is out of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { textModule } from './build-wgsl';

export const PYTHON_DIR = 'src/core/export/pytorch';
export const PYTHON_MODULE = join(PYTHON_DIR, 'sources.ts');

export function pythonModule(dir = PYTHON_DIR): string {
  return textModule(dir, '.py', 'PYTHON_SOURCES', 'build-python');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(PYTHON_MODULE, pythonModule());
  console.log(`${PYTHON_DIR}/*.py -> ${PYTHON_MODULE}`);
}
