import { expect, test, type Page } from '@playwright/test';
import { openWorkbench } from './support';

async function losses(page: Page) {
  const status = page.getByTestId('run-status');
  return {
    steps: Number(await status.getAttribute('data-steps')),
    first: Number(await status.getAttribute('data-first-loss')),
    last: Number(await status.getAttribute('data-last-loss')),
  };
}

test.describe('the trainer in Chromium', () => {
  test('trains the CNN on mnist-2k on WebGPU and the loss falls', async ({ page }) => {
    test.setTimeout(180_000);
    const errors = await openWorkbench(page);
    await page.getByTestId('file-input').setInputFiles('public/datasets/mnist-2k.arrow');
    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toHaveAttribute('data-rows', '2000');
    await expect(summary).toHaveAttribute('data-name', 'mnist-2k.arrow');
    await expect(page.getByTestId('label-select')).toHaveValue('digit');

    await page.getByTestId('model-select').selectOption('cnn');
    // A small CNN: SwiftShader runs convolution gradients slowly.
    await page.getByLabel('Conv filters').fill('4, 8');
    await page.getByLabel('Batch size').fill('64');
    await page.getByLabel('Epochs').fill('1');
    await page.getByTestId('train-button').click();

    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 170_000 });
    const { steps, first, last } = await losses(page);
    expect(steps).toBe(25); // 1,600 training rows in batches of 64
    expect(first).toBeGreaterThan(1.5); // about ln 10 for ten classes at the start
    expect(last).toBeLessThan(first * 0.8);
    await expect(page.getByTestId('run-status')).toContainText('accuracy');
    expect(errors).toEqual([]);
  });

  test('keeps the trainer fed: data wait stays under 5 % of step time on the bundled sample', async ({ page }) => {
    const errors = await openWorkbench(page);
    await page.getByLabel('Epochs').fill('6');
    await page.getByTestId('train-button').click();
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 110_000 });
    expect((await losses(page)).steps).toBeGreaterThanOrEqual(50);
    // The share the Compare panel shows (wait after the first step over wall time), e.g. "0.4 %".
    const shown = await page.locator('.metric', { hasText: 'waiting for data' }).locator('.metric-value').innerText();
    const share = Number(shown.replace('%', '').trim());
    expect(Number.isFinite(share)).toBe(true);
    expect(share).toBeLessThan(5);
    expect(errors).toEqual([]);
  });
});

test('the wasm backend trains in the trainer worker when chosen', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  const backends = page.getByTestId('backend-chips');
  await backends.getByText('wasm', { exact: true }).click();
  await backends.getByText('webgpu', { exact: true }).click();
  await page.getByTestId('config-form').getByLabel('Epochs').fill('3');
  await page.getByTestId('train-button').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const first = Number(await status.getAttribute('data-first-loss'));
  const last = Number(await status.getAttribute('data-last-loss'));
  expect(last).toBeLessThan(first);
});

test('streaming: training starts on the first record batch while the file is still decoding', async ({ page }) => {
  const { Table, tableFromIPC, tableToIPC } = await import('apache-arrow');
  const { readFileSync } = await import('node:fs');
  const t = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow'));
  // 100k rows in 20 record batches.
  const parts = Array.from({ length: 20 }, (_, k) => t.slice(k * 5000, (k + 1) * 5000));
  const buffer = Buffer.from(tableToIPC(new Table(parts.flatMap((p) => p.batches)), 'stream'));
  await page.goto('/');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  const form = page.getByTestId('config-form');
  await form.getByLabel('Batch size').fill('4096');
  await form.getByLabel('Epochs').fill('1');
  await page.getByTestId('stream-toggle').check();
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'flights.arrows', mimeType: 'application/octet-stream', buffer });
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(status).toContainText('streaming: training started with');
  // One epoch over about 80 % of the 100k rows (the split is a seeded hash per row).
  const steps = Number(await status.getAttribute('data-steps'));
  expect(steps).toBeGreaterThanOrEqual(Math.floor(77_600 / 4096));
  expect(steps).toBeLessThanOrEqual(Math.ceil(82_400 / 4096));
  // The dataset itself loaded too (schema view), in its own decode worker.
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '100000');
});
