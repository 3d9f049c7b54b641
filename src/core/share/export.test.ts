import { describe, expect, it } from 'vitest';
import { csvParse } from 'd3-dsv';
import { CSV_COLUMNS, csvField, resultsToCsv, resultsToJson } from './export';
import { groupResults, type RunResultInput } from '../train/results';
import { DEFAULT_SETTINGS, makeRunConfig, type RunSettings } from '../train/run-config';

const data = {
  fingerprint: 'f',
  name: 'a "quoted", name.csv',
  rows: 10,
  label: 'y',
  features: ['x'],
  dedup: 'none' as const,
  split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
};

function run(
  id: string,
  batchSize: number,
  seed: number,
  sps: number,
  more: Partial<RunSettings> = {},
): RunResultInput {
  return {
    id,
    config: makeRunConfig({ ...DEFAULT_SETTINGS, batchSize, seed, ...more }, data),
    environment: {
      runtime: 'chrome',
      adapter: { vendor: 'nvidia', architecture: 'hopper, sm90' },
      features: [],
      f16Path: 'none',
      backend: 'webgpu',
      fallbackReason: null,
    },
    status: 'done',
    steps: [0, 1, 2].map((i) => ({
      step: i,
      epoch: 0,
      time: i / 3,
      loss: 2 - i * 0.7,
      samplesPerSec: sps,
      dataWaitMs: 0,
      gpuMs: null,
      readbackMs: 0,
    })),
    epochs: [{ epoch: 0, trainLoss: 1, valLoss: 0.5, valAccuracy: 0.123456789 }],
    summary: { status: 'done', medianSamplesPerSec: sps, timeToTargetLoss: null, finalValMetric: 0.123456789 },
  };
}

describe('CSV export', () => {
  it('quotes what must be quoted', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(NaN)).toBe('');
  });

  it('parses back (with d3-dsv) to the same rows and numbers', () => {
    const rows = groupResults([run('a', 16, 1, 1000.5), run('b', 64, 1, 4001.25), run('a2', 16, 2, 1100)], 1.5);
    const csv = resultsToCsv(rows, { targetLoss: 1.5, baselineKey: rows[0].key, speedUpBy: 'throughput' });
    const parsed = csvParse(csv.replace(/\r\n/g, '\n').trimEnd());
    expect(parsed.columns).toEqual([...CSV_COLUMNS]);
    expect(parsed).toHaveLength(2);
    expect(parsed[0].config).toBe('batch 16');
    expect(parsed[0].runs).toBe('2');
    expect(parsed[0].seeds).toBe('1 2');
    expect(Number(parsed[0].samples_per_sec_median)).toBe(rows[0].samplesPerSec.median);
    expect(Number(parsed[0].samples_per_sec_min)).toBe(1000.5);
    expect(Number(parsed[1].samples_per_sec_max)).toBe(4001.25);
    expect(Number(parsed[1].speed_up)).toBeCloseTo(4001.25 / 1050.25, 12);
    expect(Number(parsed[0].speed_up)).toBe(1);
    expect(Number(parsed[0].final_val_median)).toBe(0.123456789);
    expect(parsed[0].final_val_rmse_median).toBe(''); // classification: no RMSE
    expect(Number(parsed[0].time_to_target_s_median)).toBe(rows[0].timeToTarget.median);
    expect(parsed[0].runs_reaching_target).toBe('2/2');
    expect(parsed[0].environment).toBe('webgpu · nvidia hopper, sm90');
    expect(parsed[0].full_config).toContain('a "quoted", name.csv');
    expect(parsed[0].baseline).toBe('batch 16');
  });

  it('writes empty fields for missing values and JSON with the configs', () => {
    const rows = groupResults([run('a', 16, 1, 1000)], 0.0001);
    const parsed = csvParse(
      resultsToCsv(rows, { targetLoss: 0.0001, baselineKey: null, speedUpBy: 'timeToTarget' }).trimEnd(),
    );
    expect(parsed[0].time_to_target_s_median).toBe('');
    expect(parsed[0].speed_up).toBe('');
    const json = JSON.parse(
      resultsToJson(rows, { targetLoss: 0.0001, baselineKey: rows[0].key, speedUpBy: 'throughput' }),
    );
    expect(json.version).toBe(1);
    expect(json.rows[0].config.batchSize).toBe(16);
    expect(json.rows[0].samplesPerSec.median).toBe(1000);
    expect(json.rows[0].speedUp).toBe(1);
    expect(json.rows[0].timeToTarget.median).toBeNull();
  });

  it('writes engine, precision, and for fp16-mixed runs the loss scale and skipped steps', () => {
    const mixed = (id: string, seed: number, lossScale: number, skippedSteps: number): RunResultInput => {
      const r = run(id, 16, seed, 1000, { engine: 'wgsl', precision: 'fp16-mixed' });
      return { ...r, summary: { ...r.summary!, lossScale, skippedSteps } };
    };
    const rows = groupResults([run('a', 16, 1, 1000), mixed('m1', 1, 65536, 0), mixed('m2', 2, 32768, 3)], null);
    const options = { targetLoss: null, baselineKey: rows[0].key, speedUpBy: 'throughput' as const };
    const parsed = csvParse(resultsToCsv(rows, options).trimEnd());
    expect(parsed.map((p) => [p.config, p.engine, p.precision])).toEqual([
      ['tfjs · fp32', 'tfjs', 'fp32'],
      ['wgsl · fp16-mixed', 'wgsl', 'fp16-mixed'],
    ]);
    expect(
      parsed.map((p) => [
        p.loss_scale_median,
        p.loss_scale_min,
        p.loss_scale_max,
        p.skipped_steps_median,
        p.skipped_steps_min,
        p.skipped_steps_max,
      ]),
    ).toEqual([
      ['', '', '', '', '', ''],
      ['49152', '32768', '65536', '1.5', '0', '3'],
    ]);
    const json = JSON.parse(resultsToJson(rows, options));
    expect(json.rows[0]).toMatchObject({ engine: 'tfjs', precision: 'fp32', lossScale: { n: 0, median: null } });
    expect(json.rows[1]).toMatchObject({
      engine: 'wgsl',
      precision: 'fp16-mixed',
      lossScale: { median: 49152, min: 32768, max: 65536, n: 2 },
      skippedSteps: { median: 1.5, n: 2 },
    });
    expect(json.rows[1].config).toMatchObject({ engine: 'wgsl', precision: 'fp16-mixed' });
  });
});
