import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTable } from '../data/read';
import { defaultSplit } from '../data/split';
import { defaultFeatures, encodeTable } from '../data/encode';
import { SAMPLES } from './samples';
import { resolveModelSpec, validateModelSpec } from './model';

describe('bundled samples', () => {
  it('each sample file has its rows and label, and its model fits its default features', () => {
    for (const s of SAMPLES) {
      const table = readTable(readFileSync(join('public/datasets', s.file)), s.file);
      expect(table.rows, s.file).toBe(s.rows);
      expect(
        table.columns.some((c) => c.name === s.label),
        s.file,
      ).toBe(true);
      const enc = encodeTable(table, { label: s.label, features: defaultFeatures(table, s.label) }, defaultSplit(1));
      expect(enc.task).toBe('classification');
      expect(() => resolveModelSpec(validateModelSpec(s.model), enc.dim)).not.toThrow();
    }
  });

  it('mnist-2k holds 200 of each digit with the pixels of the mnist package (uint8 of the [0, 1] values)', () => {
    const table = readTable(readFileSync('public/datasets/mnist-2k.arrow'), 'mnist-2k.arrow');
    expect(table.columns.map((c) => c.name)).toEqual([...Array.from({ length: 784 }, (_, i) => `p${i}`), 'digit']);
    const digit = table.columns[784];
    if (digit.kind !== 'categorical') throw new Error('digit must be categorical');
    const counts = new Map<string, number>();
    for (let r = 0; r < table.rows; r++)
      counts.set(digit.dictionary[digit.codes[r]], (counts.get(digit.dictionary[digit.codes[r]]) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect([...counts.values()].every((n) => n === 200)).toBe(true);

    // Every row is one of the first 200 images of its digit in the source package, each used once.
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
    const seen = new Set<string>();
    for (const d of ['0', '3', '9']) {
      const src = (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
      const images = new Map<string, number>();
      for (let i = 0; i < 200; i++)
        images.set(
          src
            .slice(i * 784, (i + 1) * 784)
            .map((v) => Math.round(v * 255))
            .join(','),
          i,
        );
      for (let r = 0; r < table.rows; r++) {
        if (digit.dictionary[digit.codes[r]] !== d) continue;
        const px = table.columns
          .slice(0, 784)
          .map((c) => (c.kind === 'numeric' ? c.values[r] : NaN))
          .join(',');
        const i = images.get(px);
        expect(i, `row ${r}`).toBeDefined();
        expect(seen.has(`${d}:${i}`)).toBe(false);
        seen.add(`${d}:${i}`);
      }
    }
    expect(seen.size).toBe(600);
  });
});
