import { expect, test, type Page } from '@playwright/test';
import { openWorkbench } from './support';

/**
 * Runs waiting in the queue (and the one training) when the page closes are offered back on the
 * next open, until they are queued again (on the data they were queued on) or discarded.
 */
async function queueTwoLongRuns(page: Page): Promise<void> {
  const backends = page.getByTestId('backend-chips');
  if (await backends.getByRole('checkbox', { name: 'webgpu' }).isChecked()) {
    await backends.getByText('cpu', { exact: true }).click();
    await backends.getByText('webgpu', { exact: true }).click();
  }
  const form = page.getByTestId('config-form');
  await form.getByLabel('Batch size').fill('16, 64');
  await form.getByLabel('Epochs').fill('5000');
  await page.getByTestId('add-to-queue').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-waiting', '1');
  // IndexedDB is written asynchronously: give it a moment before the page goes.
  await page.waitForTimeout(500);
}

async function reload(page: Page): Promise<void> {
  await page.reload();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
}

test('waiting runs survive a reload, offered until queued again or discarded', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  await queueTwoLongRuns(page);
  await reload(page);
  const banner = page.getByTestId('restored-queue');
  await expect(banner).toHaveAttribute('data-runs', '2');
  await expect(banner).toContainText('2 runs were waiting when the page closed (on penguins.arrow)');
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-waiting', '0');
  // Still offered after another reload, until the user decides; discarded, they are gone.
  await reload(page);
  await expect(banner).toHaveAttribute('data-runs', '2');
  await banner.getByRole('button', { name: 'Discard' }).click();
  await expect(banner).toHaveCount(0);
  await page.waitForTimeout(500);
  await reload(page);
  await page.waitForTimeout(1000);
  await expect(banner).toHaveCount(0);

  // Queued again, they run with their own settings.
  await queueTwoLongRuns(page);
  await reload(page);
  await banner.getByRole('button', { name: 'Queue them again' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-waiting', '1');
  await expect(page.locator('.queue-live')).toContainText('batch 16');
  await expect(page.locator('.queue-live')).toContainText('5000 ep');
  await page.getByTestId('stop-button').click();
  await expect(page.locator('.queue-live')).toContainText('batch 64', { timeout: 30_000 });
  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('run-queue')).toHaveAttribute('data-running', '0', { timeout: 30_000 });
  expect(errors).toEqual([]);
});
