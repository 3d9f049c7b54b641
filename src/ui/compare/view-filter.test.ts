import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../core/train/record';
import { datasetKey, datasetsOf, defaultDataset, filterRuns, finishedIds } from './view-filter';
import { stylesOf } from './use-compared';
import { RUN_COLOURS, RUN_DASHES, runColour, runDash } from '../format';

const run = (id: string, name: string, status: RunStatus = 'done', fingerprint = `sha-${name}`) =>
  ({ id, status, config: { data: { fingerprint, name } } }) as unknown as {
    id: string;
    status: RunStatus;
    config: {
      data: {
        fingerprint: string;
        name: string;
        rows: number;
        label: string;
        features: string[];
        dedup: 'none';
        split: { train: number; val: number; test: number; seed: number };
      };
    };
  };

describe('which runs the comparison lists', () => {
  const runs = [
    run('a', 'penguins.arrow'),
    run('b', 'flights.csv'),
    run('c', 'penguins.arrow', 'running'),
    run('d', 'flights.csv', 'failed'),
    run('s', 'flights.csv', 'done', ''),
  ];

  it('the dataset in use by default; a chosen dataset; all', () => {
    const current = defaultDataset({ fingerprint: 'sha-penguins.arrow', name: 'penguins.arrow' }, null);
    expect(filterRuns(runs, { dataset: null, cleared: [] }, current).map((r) => r.id)).toEqual(['a', 'c']);
    expect(filterRuns(runs, { dataset: 'sha-flights.csv', cleared: [] }, current).map((r) => r.id)).toEqual(['b', 'd']);
    expect(filterRuns(runs, { dataset: 'all', cleared: [] }, current).map((r) => r.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
      's',
    ]);
    // Nothing loaded and no link: every run.
    expect(filterRuns(runs, { dataset: null, cleared: [] }, defaultDataset(null, null))).toHaveLength(5);
  });

  it('a streaming run (no sha256) goes with the dataset of its name', () => {
    const flights = defaultDataset({ fingerprint: 'sha-flights.csv', name: 'flights.csv' }, null);
    expect(filterRuns(runs, { dataset: null, cleared: [] }, flights).map((r) => r.id)).toEqual(['b', 'd', 's']);
    expect(datasetKey({ fingerprint: '', name: 'x.arrows' })).toBe('name:x.arrows');
  });

  it("an open share link's dataset is the default while its banner is up", () => {
    const d = defaultDataset(
      { fingerprint: 'sha-penguins.arrow', name: 'penguins.arrow' },
      { fingerprint: 'sha-flights.csv', name: 'flights.csv' },
    );
    expect(d).toEqual({ key: 'sha-flights.csv', name: 'flights.csv' });
  });

  it('clearing finished runs takes done, stopped and failed runs off the view, never a live one', () => {
    const all = { dataset: 'all', cleared: [] };
    const finished = finishedIds(filterRuns(runs, all, null));
    expect(finished).toEqual(['a', 'b', 'd', 's']);
    expect(filterRuns(runs, { dataset: 'all', cleared: finished }, null).map((r) => r.id)).toEqual(['c']);
  });

  it('counts the runs per dataset in order of appearance', () => {
    expect(datasetsOf(runs)).toEqual([
      { key: 'sha-penguins.arrow', name: 'penguins.arrow', runs: 2 },
      { key: 'sha-flights.csv', name: 'flights.csv', runs: 2 },
      { key: 'name:flights.csv', name: 'flights.csv', runs: 1 },
    ]);
  });
});

describe('line styles', () => {
  it('twelve distinct colours, clearly apart, then the same colours with dash patterns', () => {
    expect(new Set(RUN_COLOURS).size).toBe(12);
    // CIE L*a*b* (D65) from sRGB; a difference (ΔE76) of about 2 is just noticeable.
    const lab = (c: string) => {
      const [r, g, b] = [1, 3, 5]
        .map((i) => parseInt(c.slice(i, i + 2), 16) / 255)
        .map((v) => (v > 0.04045 ? ((v + 0.055) / 1.055) ** 2.4 : v / 12.92));
      const f = (v: number) => (v > 0.008856 ? Math.cbrt(v) : 7.787 * v + 16 / 116);
      const [x, y, z] = [
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
      ].map(f);
      return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
    };
    for (let i = 0; i < 12; i++)
      for (let j = i + 1; j < 12; j++) {
        const [a, b] = [lab(RUN_COLOURS[i]), lab(RUN_COLOURS[j])];
        expect(
          Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]),
          `${RUN_COLOURS[i]} vs ${RUN_COLOURS[j]}`,
        ).toBeGreaterThan(20);
      }
    const styles = Array.from({ length: 48 }, (_, i) => `${runColour(i)} ${runDash(i)}`);
    expect(new Set(styles).size).toBe(48);
    expect(Array.from({ length: 12 }, (_, i) => runDash(i))).toEqual(Array(12).fill(''));
    expect(runDash(12)).toBe(RUN_DASHES[1]);
  });

  it('styles follow the position in the list, so 28 listed runs have 28 different lines', () => {
    const ids = Array.from({ length: 28 }, (_, i) => ({ id: `r${i}` }));
    const s = stylesOf(ids);
    expect(new Set(Object.values(s).map((x) => `${x.colour}/${x.dash}`)).size).toBe(28);
    expect(
      new Set(
        Object.values(s)
          .slice(0, 12)
          .map((x) => x.colour),
      ).size,
    ).toBe(12);
  });
});
