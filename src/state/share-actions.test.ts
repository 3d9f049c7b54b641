import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, makeRunConfig, validateSettings } from '../core/train/run-config';
import { settingsOf } from './share-actions';

const data = { fingerprint: 'f', name: 'd.arrow', rows: 10, label: 'y', features: ['x'], dedup: 'exact' as const, split: { train: 0.8, val: 0.1, test: 0.1, seed: 3 } };

describe('Run these here', () => {
  it('trains a shared run with its engine and precision, and an old tfjs run as tfjs', () => {
    const config = makeRunConfig(validateSettings({ ...DEFAULT_SETTINGS, seed: 3, engine: 'wgsl', precision: 'fp16-mixed', dedup: 'exact' }), data);
    const s = settingsOf({ config, budgetSec: null });
    expect(s).toMatchObject({ engine: 'wgsl', precision: 'fp16-mixed', seed: 3, dedup: 'exact' });
    expect(makeRunConfig(s, data)).toEqual(config);
    const { engine: _engine, ...old } = makeRunConfig({ ...DEFAULT_SETTINGS }, data);
    expect(settingsOf({ config: old as typeof config, budgetSec: null })).toMatchObject({ engine: 'tfjs', precision: 'fp32' });
  });
});
