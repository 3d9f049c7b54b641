/** parameterShapes against the tfjs models' own variables: names (scope stripped), shapes and order. */
import { describe, expect, it } from 'vitest';
import { createModel, resolveModelSpec } from '../model';
import { parameterShapes } from './shapes';
import { MODEL_CASES } from './model-cases.test-support';

describe('parameterShapes', () => {
  for (const [name, spec, inputs, outputs] of MODEL_CASES) {
    it(`names and shapes the ${name}'s variables in the engines' order`, () => {
      const model = createModel(spec, inputs, outputs, 1);
      try {
        const want = model.variables.map((v) => ({ name: v.name.replace(/^m\d+\//, ''), shape: v.shape }));
        expect(parameterShapes(resolveModelSpec(spec, inputs), inputs, outputs)).toEqual(want);
      } finally {
        model.dispose();
      }
    });
  }
});
