/**
 * The sample datasets bundled in public/datasets (rebuilt by `npm run samples`), each with the
 * label and model that suit it. The first is the default the workbench opens with.
 */
import type { ModelSpec } from './model';

export interface Sample {
  /** File name under public/datasets. */
  file: string;
  /** What the picker shows. */
  title: string;
  label: string;
  model: ModelSpec;
  rows: number;
}

export const SAMPLES: readonly Sample[] = [
  {
    file: 'penguins.arrow',
    title: 'Penguins (344 rows, species)',
    label: 'Species',
    model: { type: 'mlp', hidden: [32, 32], activation: 'relu' },
    rows: 344,
  },
  {
    file: 'mnist-2k.arrow',
    title: 'MNIST digits (2,000 images, 28x28)',
    label: 'digit',
    model: { type: 'cnn', inputShape: [28, 28, 1], filters: [8, 16], hidden: [], activation: 'relu' },
    rows: 2000,
  },
];

export const DEFAULT_SAMPLE: Sample = SAMPLES[0];
