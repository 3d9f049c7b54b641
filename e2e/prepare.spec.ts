import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

test.describe('batches prepared on the GPU', () => {
  test('prepare on gpu: tfjs is left out, the wgsl run trains on raw rows and shows its bytes per batch', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const errors = await openWorkbench(page);
    await page.getByLabel('Epochs').fill('1');
    await page.getByTestId('engine-chips').getByText('wgsl', { exact: true }).click();
    await page.getByTestId('prepare-on').selectOption('gpu');
    await expect(page.getByTestId('left-out')).toContainText(
      'tfjs × prepare on gpu left out: the wgsl engine prepares batches on the GPU',
    );
    await expect(page.getByTestId('matrix-size')).toHaveAttribute('data-runs', '1');
    await page.getByTestId('train-button').click();

    await expect(page.getByTestId('run-queue')).toHaveAttribute('data-finished', '1', { timeout: 160_000 });
    const row = page.getByTestId('results-table').getByTestId('results-row');
    await expect(row).toHaveCount(1);
    await expect(row.locator('th')).toContainText('prepared on gpu');
    await expect(row.getByTestId('model-size')).toContainText(/params · .* FLOPs\/sample · .* KB\/batch/);
    expect(Number(await row.getAttribute('data-samples-per-sec'))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
