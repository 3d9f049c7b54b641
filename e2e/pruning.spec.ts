import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

test('a pruned run shows its sparsity, then its change against the dense twin; both survive a reload', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  await page.getByLabel('Epochs').fill('3');
  await page.getByTestId('pruning-on').check();
  // A setting the trainer cannot honour is refused, naming the field.
  await page.getByLabel('From step').fill('30');
  await page.getByLabel('To step').fill('20');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('settings-error')).toContainText('pruning.endStep');
  await page.getByLabel('From step').fill('2');
  await page.getByLabel('Every (steps)').fill('2');
  await page.getByLabel('Target sparsity (%)').fill('50');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('settings-error')).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  const note = page.getByTestId('pruning-note');
  // Penguins: kernels 6x32, 32x32 and 32x3 (the sample's six features), each half zero: 50.0 %.
  await expect(note).toContainText('50.0 % sparse');
  await expect(note).toContainText('no dense twin');

  // The same configuration without pruning: the row pairs with it, seed by seed.
  await page.getByTestId('pruning-on').uncheck();
  await page.getByTestId('train-button').click();
  await expect(note).toContainText(/[+-]\d+\.\d points vs dense \(1 seed\)/, { timeout: 90_000 });
  await expect(page.getByTestId('results-table')).toContainText('pruned 50% (steps 2-20, every 2)');
  // A running run counts in the table with what it has: let the dense run finish (and be stored) before the reload.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await page.waitForTimeout(500);

  await page.reload();
  await expect(page.getByTestId('pruning-note')).toContainText(/50\.0 % sparse .* vs dense \(1 seed\)/, {
    timeout: 30_000,
  });
  expect(errors).toEqual([]);
});
