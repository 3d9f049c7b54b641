import { expect, test, type Page } from '@playwright/test';
import { openWorkbench } from './support';

/**
 * A queued run trains on the label and features it was queued with (its record, stored copy and
 * share link say so), whatever the data panel's checkboxes say by the time it starts.
 */
const featuresOf = async (page: Page) =>
  Number(/(\d+) features/.exec((await page.getByTestId('run-status').innerText()) ?? '')?.[1]);

test('unticking a feature while runs wait does not change what they train on', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  const backends = page.getByTestId('backend-chips');
  await backends.getByText('cpu', { exact: true }).click();
  await backends.getByText('webgpu', { exact: true }).click();
  const form = page.getByTestId('config-form');
  await form.getByLabel('Batch size').fill('16, 64');
  await form.getByLabel('Epochs').fill('30');
  await page.getByTestId('add-to-queue').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(status).toContainText('features');
  const first = await featuresOf(page);
  expect(first).toBeGreaterThan(1);

  // The second run waits; a numeric feature is unticked in the data panel meanwhile.
  const box = page
    .getByRole('checkbox', { name: /^use .* as a feature$/ })
    .and(page.locator(':checked'))
    .first();
  await box.uncheck();
  await expect
    .poll(async () => page.getByTestId('run-queue').getAttribute('data-finished'), {
      timeout: 150_000,
      intervals: [500],
    })
    .toBe('2');
  // The run shown now is the second: the same features as the first, as queued.
  expect(await featuresOf(page)).toBe(first);
  expect(errors).toEqual([]);
});
