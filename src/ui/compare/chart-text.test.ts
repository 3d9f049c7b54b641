import { describe, expect, it } from 'vitest';
import { DESCRIBED_RUNS, describeLineChart, describeStepTimes } from './chart-text';

const fmt = (v: number) => v.toFixed(2);

describe('chart descriptions (accessible names)', () => {
  it("name the chart and each run's last value", () => {
    const text = describeLineChart(
      [
        {
          id: 'a',
          name: 'batch 16',
          points: [
            { x: 0, y: 1.2 },
            { x: 120, y: 0.31 },
          ],
        },
        {
          id: 'b',
          name: 'batch 64',
          points: [
            { x: 0, y: 1.1 },
            { x: 30, y: 0.4 },
            { x: 31, y: NaN },
          ],
        },
        { id: 'c', name: 'batch 256', points: [] },
      ],
      'step',
      'loss',
      fmt,
    );
    expect(text).toBe(
      'Line chart of loss against step, 3 runs, last values. batch 16: 0.31 at step 120; batch 64: 0.40 at ' +
        'step 30; batch 256: no data yet.',
    );
  });

  it('say when there is nothing to show, and count runs past the first few', () => {
    expect(describeLineChart([], 'step', 'loss', fmt)).toBe('Line chart of loss against step: no runs to show.');
    const many = Array.from({ length: DESCRIBED_RUNS + 3 }, (_, i) => ({
      id: `${i}`,
      name: `r${i}`,
      points: [{ x: 1, y: i }],
    }));
    expect(describeLineChart(many, 'epoch', 'val. accuracy', fmt)).toMatch(
      /11 runs, .*r7: 7\.00 at epoch 1; and 3 more\.$/,
    );
  });

  it('describe the step-time bars with their parts', () => {
    expect(
      describeStepTimes([
        {
          name: 'batch 16',
          parts: [
            ['data wait', 0.5],
            ['GPU (timed)', 1],
            ['readback', 0.25],
            ['rest of the step', 0.25],
          ],
        },
      ]),
    ).toBe(
      'Bar chart of the mean time per step of each run, split into data wait, GPU, readback and the rest. ' +
        'batch 16: 2.00 ms (data wait 0.50 ms, GPU (timed) 1.00 ms, readback 0.25 ms, rest of the step 0.25 ms).',
    );
  });
});
