/** parameterShapes against the tfjs models' own variables: names (scope stripped), shapes and order. */
import { describe, expect, it } from 'vitest';
import { createModel, resolveModelSpec, type ModelSpec } from '../model';
import { parameterShapes } from './shapes';

const cases: [string, ModelSpec, number, number][] = [
  ['mlp', { type: 'mlp', hidden: [7, 5], activation: 'relu' }, 11, 3],
  ['mlp without hidden layers', { type: 'mlp', hidden: [], activation: 'tanh' }, 4, 1],
  ['cnn', { type: 'cnn', inputShape: [9, 7, 3], filters: [6, 4], hidden: [5], activation: 'relu' }, 189, 4],
  [
    'grouped cnn',
    { type: 'cnn', inputShape: [8, 8, 4], filters: [8, 6], groups: [2, 2], hidden: [], activation: 'relu' },
    256,
    3,
  ],
  [
    'dscnn',
    {
      type: 'dscnn',
      inputShape: [10, 10, 1],
      stem: 4,
      blocks: [
        { filters: 6, stride: 2 },
        { filters: 5, stride: 1 },
      ],
      hidden: [3],
      activation: 'sigmoid',
    },
    100,
    2,
  ],
];

describe('parameterShapes', () => {
  for (const [name, spec, inputs, outputs] of cases) {
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
