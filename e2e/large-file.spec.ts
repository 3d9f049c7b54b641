/**
 * A Parquet file larger than the memory the page may use trains for one epoch, streamed from
 * disk (issue 16): 1.5 GiB written row group by row group with parquet-wasm during the test,
 * Chromium started with a 512 MB JavaScript heap. The file is refused for a whole load, offered to
 * stream instead with its statistics streamed, and the epoch uses every training row once (as
 * many steps as the seeded split by row position gives over the whole file).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import config from '../playwright.config';
import { rowFraction } from '../src/core/data/stream-encoder';
import { defaultSplit } from '../src/core/data/split';
import { DEFAULT_SETTINGS } from '../src/core/train/run-config';
import { writeLargeParquet } from './large-parquet';
import { openWorkbench } from './support';

const base = config.use!.launchOptions!;
test.use({ launchOptions: { ...base, args: [...(base.args ?? []), '--js-flags=--max-old-space-size=512'] } });

const ROWS = 6_300_000;
const FEATURES = 63;
const dir = mkdtempSync(join(tmpdir(), 'trainbench-large-'));
const path = join(dir, 'large.parquet');

test.beforeAll(async () => {
  test.setTimeout(300_000);
  await writeLargeParquet(path, { rows: ROWS, features: FEATURES, rowsPerGroup: 131_072, seed: 7 });
});

test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a 1.5 GiB Parquet file trains one epoch streamed from disk in a page with a 512 MB heap', async ({ page }) => {
  test.setTimeout(600_000);
  const size = statSync(path).size;
  expect(size).toBeGreaterThan(1.5 * 2 ** 30);
  let crashed = false;
  page.on('crash', () => (crashed = true));
  const errors = await openWorkbench(page);
  const heap = await page.evaluate(
    () => (performance as Performance & { memory: { jsHeapSizeLimit: number } }).memory.jsHeapSizeLimit,
  );
  expect(heap).toBeLessThan(size / 2);

  const form = page.getByTestId('config-form');
  const batchSize = 16_384;
  await form.getByLabel('Batch size').fill(String(batchSize));
  await form.getByLabel('Epochs').fill('1');
  // A linear model: the test is about the data path; SwiftShader computes a hidden layer over 5 M rows slowly.
  await form.getByLabel('Hidden layers').fill('');
  await page.getByTestId('file-input').setInputFiles(path);
  // Refused as a whole load, offered to stream; the dataset in use stays.
  await expect(page.getByTestId('data-error')).toContainText('large.parquet: 1.5 GB is too large to load here');
  await expect(page.getByTestId('data-error')).toContainText('It can train streamed from disk instead');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  // Its statistics stream too (every row group read once, nothing kept): the rows, the label, the features.
  const offer = page.getByTestId('stream-offer-panel');
  await expect(offer).toHaveAttribute('data-rows', String(ROWS), { timeout: 240_000 });
  await expect(page.getByTestId('stream-label')).toHaveValue('label');
  // A float target of seeded normals: auto reads it as a quantity.
  await expect(page.getByTestId('stream-task').locator('option').first()).toHaveText(
    'auto: regression (a numeric label)',
  );
  await expect(page.getByTestId('stream-features')).toContainText(`f0, f1, f2`);
  await expect(page.getByTestId('stream-features')).toContainText(`f${FEATURES - 1}`);
  await page.getByTestId('stream-offer').click();

  const status = page.getByTestId('run-status');
  await expect(status).toContainText('rows not kept: each epoch reads the file again', { timeout: 120_000 });
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 480_000 });
  // Every training row once: the steps of a whole-file count of the seeded split by row position.
  const split = defaultSplit(DEFAULT_SETTINGS.seed);
  let train = 0;
  for (let i = 0; i < ROWS; i++) if (rowFraction(split.seed, i) < split.train) train++;
  expect(Number(await status.getAttribute('data-steps'))).toBe(Math.ceil(train / batchSize));
  expect(Number(await status.getAttribute('data-last-loss'))).toBeLessThan(
    Number(await status.getAttribute('data-first-loss')),
  );
  expect(crashed).toBe(false);
  expect(errors).toEqual([]);
});
