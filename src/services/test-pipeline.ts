/** Test support: one run through runPipeline, with the data and trainer services in one process. */
import type { TrainerEvent } from './protocol';
import type { RunConfig } from '../core/train/record';
import { DEFAULT_SETTINGS, makeRunConfig } from '../core/train/run-config';
import { defaultSplit } from '../core/data/split';
import { runPipeline } from './run-pipeline';
import { localServices } from './local-services';

/**
 * The data and trainer services wired as in the browser, over real MessageChannels, tfjs on its cpu backend (wgsl runs
 * on Dawn).
 */
export async function runOnce(fileName: string, bytes: Uint8Array, overrides: Partial<RunConfig> = {}, label?: string) {
  const events: TrainerEvent[] = [];
  const services = localServices((e) => events.push(e));
  const summary = await services.data.call('load', { name: fileName, bytes: bytes.slice().buffer });
  const env = await services.trainer.call('init', { preferred: 'cpu' });
  const lbl = label ?? summary.defaultLabel;
  const features = label ? summary.columns.map((c) => c.name).filter((c) => c !== lbl) : summary.defaultFeatures;
  const config = {
    ...makeRunConfig(
      { ...DEFAULT_SETTINGS, backend: 'cpu' },
      {
        fingerprint: summary.fingerprint,
        name: fileName,
        rows: summary.rows,
        label: lbl,
        features,
        dedup: 'none',
        split: defaultSplit(1),
      },
    ),
    ...overrides,
  };
  const { prepared, summary: result } = await runPipeline(config, services, {
    runId: 'r1',
    source: { kind: 'dataset', datasetId: summary.id },
  });
  const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
  const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
  return { summary, env, prepared, result, steps, epochs, events };
}
