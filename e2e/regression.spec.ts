import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

/**
 * A numeric label trains a regression on the standardised target; the Run panel and the results
 * table give the validation RMSE in the label's own units (grams here), beside the loss.
 */
test("a regression on penguins' body mass shows its validation RMSE in grams", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openWorkbench(page);
  await page.getByTestId('label-select').selectOption('Body Mass (g)');
  const form = page.getByTestId('config-form');
  await form.getByLabel('Epochs').fill('4');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });

  const text = (await page.getByTestId('run-validation').textContent()) ?? '';
  const m = /loss ([\d.]+) · RMSE ([\d.]+)/.exec(text);
  expect(m, text).not.toBeNull();
  const [loss, rmse] = [Number(m![1]), Number(m![2])];
  // The body masses (342 known) spread by 800 g; the model does better than their mean.
  expect(rmse).toBeGreaterThan(100);
  expect(rmse).toBeLessThan(800);
  // RMSE = sqrt(loss) x the training split's deviation, within 10 % of all rows' 800 g.
  expect(rmse / Math.sqrt(loss)).toBeGreaterThan(720);
  expect(rmse / Math.sqrt(loss)).toBeLessThan(880);
  await expect(page.getByTestId('final-rmse')).toContainText(/RMSE \d/);
  expect(errors).toEqual([]);
});
