import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

test.describe('engine and precision', () => {
  test(
    'the chips enter the matrix; pairs an engine cannot honour are left out, and a matrix of ' + 'none is refused',
    async ({ page }) => {
      const errors = await openWorkbench(page);
      const engines = page.getByTestId('engine-chips');
      const precisions = page.getByTestId('precision-chips');
      const size = page.getByTestId('matrix-size');
      const leftOut = page.getByTestId('left-out');
      await expect(engines.getByRole('checkbox', { name: 'tfjs' })).toBeChecked();
      await expect(precisions.getByRole('checkbox', { name: 'fp32' })).toBeChecked();
      await expect(leftOut).toHaveCount(0);

      await precisions.getByText('fp16-mixed', { exact: true }).click();
      await expect(size).toHaveAttribute('data-runs', '1');
      await expect(leftOut).toHaveText('tfjs × fp16-mixed left out: fp16-mixed runs on the wgsl engine');

      await precisions.getByText('fp32', { exact: true }).click();
      await expect(size).toHaveAttribute('data-runs', '0');
      await page.getByTestId('add-to-queue').click();
      await expect(page.getByTestId('settings-error')).toContainText(
        'precision: fp16-mixed runs on the wgsl engine only',
      );

      await engines.getByText('wgsl', { exact: true }).click();
      await expect(size).toHaveAttribute('data-runs', '1');
      // Both engines train the image models.
      await page.getByTestId('model-select').selectOption('cnn');
      await expect(size).toHaveAttribute('data-runs', '1');
      // Groups that do not divide a block's channels are refused, naming the block.
      await page.getByLabel('Conv filters').fill('8, 12');
      await page.getByTestId('groups-input').fill('1, 3');
      await page.getByTestId('add-to-queue').click();
      await expect(page.getByTestId('settings-error')).toContainText(
        "model.groups[1]: 3 groups do not divide block 1's 8 input and 12 output channels",
      );
      expect(errors).toEqual([]);
    },
  );

  test('tfjs fp32, wgsl fp32 and wgsl fp16-mixed train side by side; the fp16-mixed row shows its loss scale', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const errors = await openWorkbench(page);
    await page.getByLabel('Epochs').fill('2');
    await page.getByTestId('engine-chips').getByText('wgsl', { exact: true }).click();
    await page.getByTestId('precision-chips').getByText('fp16-mixed', { exact: true }).click();
    await expect(page.getByTestId('matrix-size')).toHaveAttribute('data-runs', '3');
    await page.getByTestId('train-button').click();

    const queue = page.getByTestId('run-queue');
    await expect(queue).toHaveAttribute('data-finished', '3', { timeout: 220_000 });
    const table = page.getByTestId('results-table');
    await expect(table).toHaveAttribute('data-rows', '3');
    const rows = table.getByTestId('results-row');
    await expect(rows.locator('th')).toHaveText([/^tfjs · fp32/, /^wgsl · fp32/, /^wgsl · fp16-mixed/]);
    for (const row of await rows.all())
      expect(Number(await row.getAttribute('data-samples-per-sec'))).toBeGreaterThan(0);
    await expect(rows.nth(2).getByTestId('loss-scale')).toContainText(/loss scale \d+ · skipped \d+/);
    await expect(rows.nth(0).getByTestId('loss-scale')).toHaveCount(0);
    // SwiftShader has no shader-f16: the packed path runs.
    await expect(rows.nth(2).locator('.env-cell')).toContainText('f16 packed');

    const badge = page.getByTestId('f16-badge');
    await expect(badge).toHaveAttribute('title', /enable f16|pack2x16float/);
    expect(errors).toEqual([]);
  });
});
