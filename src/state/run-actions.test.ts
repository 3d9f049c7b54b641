import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/train/errors';
import { defaultModelSpec } from '../core/train/model';
import { formRuns } from './run-actions';
import { initialState, type WorkbenchState } from './store';

const state = (
  patch: Partial<WorkbenchState['matrix']>,
  settings: Partial<WorkbenchState['settings']> = {},
): WorkbenchState => ({
  ...initialState,
  settings: { ...initialState.settings, ...settings },
  matrix: { ...initialState.matrix, ...patch },
});

describe('formRuns with engine and precision chips', () => {
  it('queues the pairs the engines honour, each validated with its engine and precision', () => {
    const runs = formRuns(state({ engine: ['tfjs', 'wgsl'], precision: ['fp32', 'fp16-mixed'] }));
    expect(runs.map((r) => `${r.engine}/${r.precision}`)).toEqual(['tfjs/fp32', 'wgsl/fp32', 'wgsl/fp16-mixed']);
  });

  it('refuses, naming the field, when no pair is left', () => {
    const refuse = (s: WorkbenchState) => {
      try {
        formRuns(s);
      } catch (e) {
        return e instanceof ConfigError ? e.field : e;
      }
      return 'no error';
    };
    expect(refuse(state({ engine: ['tfjs'], precision: ['fp16-mixed'] }))).toBe('precision');
    expect(refuse(state({ engine: ['tfjs'] }, { prepareOn: 'gpu' }))).toBe('prepareOn');
    // Both engines train the image models.
    expect(refuse(state({ engine: ['wgsl'] }, { model: defaultModelSpec('dscnn') }))).toBe('no error');
  });
});
