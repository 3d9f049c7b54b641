import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { exampleBytes, frameOffsets, frameRecords, type FeatureValue } from '../src/core/data/tfrecord.test-support';
import { openWorkbench } from './support';

/** vega-datasets' penguins as tf.Example records: numbers as int64 or float, strings as bytes, nulls left out. */
function penguinsTfRecord(): Uint8Array {
  const rows = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as Record<
    string,
    unknown
  >[];
  return frameRecords(
    rows.map((r, i) => {
      const features: [string, FeatureValue][] = [];
      for (const [k, v] of Object.entries(r)) {
        if (typeof v === 'number') features.push([k, Number.isInteger(v) ? { ints: [v] } : { floats: [v] }]);
        else if (typeof v === 'string') features.push([k, { bytes: [v] }]);
      }
      // A list whose length varies: left out, with its reason.
      features.push(['tags', { ints: Array.from({ length: 1 + (i % 3) }, (_, j) => j) }]);
      return exampleBytes(features);
    }),
  );
}

test('a gzip TFRecord file loads with its schema, trains, streams, and a damaged one is refused by record', async ({
  page,
}) => {
  test.setTimeout(150_000);
  const errors = await openWorkbench(page);
  const file = penguinsTfRecord();
  const summary = page.getByTestId('dataset-summary');
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'penguins.tfrecord.gz', mimeType: 'application/gzip', buffer: gzipSync(file) });
  await expect(summary).toHaveAttribute('data-name', 'penguins.tfrecord.gz');
  await expect(summary).toHaveAttribute('data-rows', '344');
  await expect(page.getByTestId('skipped-columns')).toContainText('tags (int64_list): its lists vary in length');
  await expect(page.getByTestId('label-select')).toHaveValue('Species');
  const form = page.getByTestId('config-form');
  await form.getByLabel('Epochs').fill('3');
  await page.getByTestId('train-button').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  expect(Number(await status.getAttribute('data-last-loss'))).toBeLessThan(
    Number(await status.getAttribute('data-first-loss')),
  );

  // A record whose data was damaged after writing: refused by number and byte, and the dataset stays.
  const at = frameOffsets(file)[100];
  const bad = file.slice();
  bad[at + 20] ^= 0x04;
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'damaged.tfrecord', mimeType: 'application/octet-stream', buffer: Buffer.from(bad) });
  await expect(page.getByTestId('data-error')).toContainText(`damaged.tfrecord: record 101 (at byte ${at}): its`);
  await expect(page.getByTestId('data-error')).toContainText('fail their CRC-32C check');
  await expect(summary).toHaveAttribute('data-name', 'penguins.tfrecord.gz');

  // Streaming reads the records chunk by chunk.
  await page.getByTestId('stream-toggle').check();
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'penguins.tfrecord', mimeType: 'application/octet-stream', buffer: Buffer.from(file) });
  await expect(status).toContainText('streaming: training started with', { timeout: 90_000 });
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  expect(errors).toEqual([]);
});
