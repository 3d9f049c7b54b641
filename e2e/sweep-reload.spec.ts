import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

/**
 * A sweep in progress when the page closes is offered back with its waiting runs; queued again,
 * it goes on from the trials it had recorded (issue 13).
 */
test('a sweep half done survives a reload and goes on where it was', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  const backends = page.getByTestId('backend-chips');
  if (await backends.getByRole('checkbox', { name: 'webgpu' }).isChecked()) {
    await backends.getByText('cpu', { exact: true }).click();
    await backends.getByText('webgpu', { exact: true }).click();
  }
  await page.getByTestId('config-form').getByLabel('Batch size').fill('16, 64');
  await page.getByText('Sweep (successive halving)').click();
  await page.getByLabel('Start budget').fill('3000');
  await page.getByLabel('Budget cap').fill('6000');
  await expect(page.getByTestId('sweep-plan')).toContainText('2 × 3000 ep. → 1 × 6000 ep.');
  await page.getByTestId('sweep-button').click();

  // The first run of the first rung is stopped (its trial is recorded), the second is training.
  const live = page.locator('.queue-live');
  await expect(live).toContainText('batch 16', { timeout: 60_000 });
  await page.getByTestId('stop-button').click();
  await expect(live).toContainText('batch 64', { timeout: 30_000 });
  await expect(page.locator('.sweep-status')).toContainText('1 of 2 left');
  await page.waitForTimeout(500);

  await page.reload();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  const banner = page.getByTestId('restored-queue');
  await expect(banner).toHaveAttribute('data-runs', '1');
  await expect(banner).toContainText('a sweep in progress among them');
  await banner.getByRole('button', { name: 'Queue it again' }).click();
  await expect(banner).toHaveCount(0);
  // The sweep is back, its first trial recorded: the second configuration trains.
  await expect(page.locator('.sweep-status')).toContainText('running · rung 1 (3000 ep.) · 1 of 2 left');
  await expect(live).toContainText('batch 64', { timeout: 60_000 });
  await page.getByTestId('stop-button').click();
  // Both trials in: the better configuration goes on to the second rung, twice the epochs.
  await expect(live).toContainText('6000 ep', { timeout: 30_000 });
  await expect(page.locator('.sweep-status')).toContainText('rung 2 (6000 ep.)');
  await page.getByTestId('stop-button').click();
  await expect(page.locator('.sweep-status')).toContainText('done', { timeout: 30_000 });
  await expect(page.getByTestId('sweep-table').locator('tr[data-stopped-early="true"]')).toHaveCount(1);
  expect(errors).toEqual([]);
});
