/**
 * Test data: one model of each kind on small, awkward shapes (odd sides, strides 1 and 2, channel
 * counts that are not multiples of 4, one logit), as [name, spec, inputs, outputs]. Shared by the
 * tests of the parameter shapes and of the exports.
 */
import type { ModelSpec } from './types';

export const MODEL_CASES: [string, ModelSpec, number, number][] = [
  ['mlp', { type: 'mlp', hidden: [16, 8], activation: 'relu' }, 13, 4],
  ['mlp (one logit, tanh)', { type: 'mlp', hidden: [5], activation: 'tanh' }, 6, 1],
  ['mlp without hidden layers', { type: 'mlp', hidden: [], activation: 'sigmoid' }, 3, 2],
  ['cnn', { type: 'cnn', inputShape: [9, 7, 3], filters: [6, 5], hidden: [7], activation: 'relu' }, 189, 3],
  [
    'grouped cnn',
    { type: 'cnn', inputShape: [8, 10, 4], filters: [8, 6], groups: [4, 2], hidden: [], activation: 'sigmoid' },
    320,
    5,
  ],
  [
    'dscnn (strides 2 and 1, odd and even sides)',
    {
      type: 'dscnn',
      inputShape: [11, 8, 2],
      stem: 4,
      blocks: [
        { filters: 6, stride: 2 },
        { filters: 5, stride: 1 },
        { filters: 3, stride: 2 },
      ],
      hidden: [4],
      activation: 'relu',
    },
    176,
    3,
  ],
];
