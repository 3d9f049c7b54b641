import { expect, test } from '@playwright/test';
import { writeHdf5 } from '../src/core/data/hdf5.test-support';
import { openWorkbench } from './support';

/** An HDF5 file written by h5wasm: /train (300 rows) and /test (60) of 4 features and a string label, gzip-compressed. */
async function twoGroupFile(): Promise<Buffer> {
  let seed = 3;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const bytes = await writeHdf5((f) => {
    for (const [name, n] of [
      ['train', 300],
      ['test', 60],
    ] as const) {
      const g = f.create_group(name);
      const x = Float32Array.from({ length: n * 4 }, rnd);
      g.create_dataset({ name: 'x', data: x, shape: [n, 4], chunks: [50, 4], compression: 6 });
      g.create_dataset({
        name: 'label',
        data: Array.from({ length: n }, (_, i) => (x[i * 4] + x[i * 4 + 1] > 0 ? 'pos' : 'neg')),
      });
    }
  });
  return Buffer.from(bytes);
}

test('an HDF5 file loads its largest group, trains, switches group, and a damaged one is refused', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = await openWorkbench(page);
  const file = await twoGroupFile();
  const summary = page.getByTestId('dataset-summary');
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'groups.h5', mimeType: 'application/x-hdf5', buffer: file });
  await expect(summary).toHaveAttribute('data-name', 'groups.h5');
  await expect(summary).toHaveAttribute('data-rows', '300');
  const group = page.getByTestId('hdf5-group');
  await expect(group).toHaveValue('/train');
  await expect(page.getByTestId('label-select')).toHaveValue('label');
  await page.getByTestId('config-form').getByLabel('Epochs').fill('3');
  await page.getByTestId('train-button').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });

  await group.selectOption('/test');
  await expect(summary).toHaveAttribute('data-rows', '60');
  await expect(group).toHaveValue('/test');
  await expect(page.getByTestId('label-select')).toHaveValue('label');
  await expect(page.getByTestId('duplicate-count')).toBeVisible();

  // Opened again: its largest group comes from the decode cache (keyed by the file and the group asked for), and so
  // does /test when it is picked again; each keeps its own group.
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'groups.h5', mimeType: 'application/x-hdf5', buffer: file });
  await expect(summary).toContainText('from the cache');
  await expect(summary).toHaveAttribute('data-rows', '300');
  await expect(group).toHaveValue('/train');
  await expect(page.getByTestId('duplicate-count')).toBeVisible();
  await group.selectOption('/test');
  await expect(summary).toHaveAttribute('data-rows', '60');
  await expect(summary).toContainText('from the cache');

  // Cut short: refused with the file's name and no library text; the group in use stays.
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'cut.h5', mimeType: 'application/x-hdf5', buffer: file.subarray(0, 1500) });
  await expect(page.getByTestId('data-error')).toContainText('cut.h5: the HDF5 library could not');
  await expect(summary).toHaveAttribute('data-name', 'groups.h5');
  await expect(summary).toHaveAttribute('data-rows', '60');
  expect(errors).toEqual([]);
});

test('an HDF5 file that makes the library loop is stopped at its deadline, and the dataset in use stays', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const errors = await openWorkbench(page);
  await page.getByTestId('file-input').setInputFiles('src/fixtures/hdf5/loops-forever.h5');
  await expect(page.getByTestId('data-error')).toContainText(
    'loops-forever.h5: the HDF5 library had not finished reading it after 15 s and was stopped',
    { timeout: 45_000 },
  );
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');
  // The next load works (a fresh decode worker).
  await page.getByTestId('sample-penguins.arrow').click();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  expect(errors).toEqual([]);
});

test('streaming reads an HDF5 group in chunks of rows and trains', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openWorkbench(page);
  await page.getByTestId('config-form').getByLabel('Epochs').fill('1');
  await page.getByTestId('stream-toggle').check();
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'stream.h5', mimeType: 'application/x-hdf5', buffer: await twoGroupFile() });
  const status = page.getByTestId('run-status');
  await expect(status).toContainText('streaming: training started with', { timeout: 90_000 });
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '300');
  expect(errors).toEqual([]);
});
