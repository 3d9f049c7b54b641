import { expect, test } from '@playwright/test';

test.describe('the workbench', () => {
  test('trains the bundled sample on WebGPU and the loss goes down', async ({ page }) => {
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto('/');
    // COOP/COEP from vite preview: SharedArrayBuffer is available.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    const summary = page.getByTestId('dataset-summary');
    await expect(summary).toHaveAttribute('data-rows', '344');
    await expect(summary).toContainText('penguins.arrow');
    await expect(page.getByTestId('label-select')).toHaveValue('Species');

    await page.getByTestId('train-button').click();
    const status = page.getByTestId('run-status');
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu');
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 110_000 });

    const steps = Number(await status.getAttribute('data-steps'));
    const first = Number(await status.getAttribute('data-first-loss'));
    const last = Number(await status.getAttribute('data-last-loss'));
    expect(steps).toBeGreaterThanOrEqual(20);
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    // Read back with `await tensor.data()`: zeros here would mean a dataSync-style readback.
    expect(first).toBeGreaterThan(0);
    expect(last).toBeLessThan(first * 0.7);

    await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-series', '1');
    await expect(page.getByTestId('loss-chart').locator('path.recharts-curve')).toHaveCount(1);
    const rate = Number(await page.getByTestId('metric-samples-per-sec').getAttribute('data-value'));
    expect(rate).toBeGreaterThan(0);
    expect(consoleErrors).toEqual([]);
  });

  test('a file that is not a dataset gets a clear message and the sample stays loaded', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');

    await page.getByTestId('file-input').setInputFiles({
      name: 'notes.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from([0x00, 0x13, 0x37, 0x42, 0x99, 0x01, 0x02]),
    });
    await expect(page.getByTestId('data-error')).toContainText('notes.bin');
    await expect(page.getByTestId('data-error')).toContainText('not a dataset');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');

    // A file that claims to be Arrow but is cut short.
    await page.getByTestId('file-input').setInputFiles({
      name: 'broken.arrow',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('ARROW1\0\0garbage'),
    });
    await expect(page.getByTestId('data-error')).toContainText('broken.arrow');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-name', 'penguins.arrow');

    // The page still works: a bad setting is refused with a message, then training starts.
    await page.getByLabel('Learning rate').fill('-1');
    await page.getByTestId('train-button').click();
    await expect(page.getByTestId('settings-error')).toContainText('optimizer.learningRate');
  });

  test('Stop ends a run between steps and keeps its metrics', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
    await page.getByLabel('Epochs').fill('1000');
    await page.getByTestId('train-button').click();
    const status = page.getByTestId('run-status');
    await expect
      .poll(async () => Number(await status.getAttribute('data-steps')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(10);
    await page.getByTestId('stop-button').click();
    await expect(status).toHaveAttribute('data-status', 'stopped');
    const kept = Number(await status.getAttribute('data-steps'));
    expect(kept).toBeGreaterThanOrEqual(10);
    await page.waitForTimeout(500);
    expect(Number(await status.getAttribute('data-steps'))).toBe(kept);
    await expect(page.getByTestId('train-button')).toBeEnabled();
  });
});
