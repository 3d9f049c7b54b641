import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { tableFromIPC } from 'apache-arrow';
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

/**
 * Digits written as numbers (Kaggle's MNIST CSV: `label,pixel0..`) are classes, not a quantity:
 * the Task picker says why, and regression is there when asked for.
 */
test('a CSV whose label is the digits 0-9 as numbers trains as classes; regression when picked', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  const t = tableFromIPC(readFileSync('public/datasets/mnist-2k.arrow'));
  const digits = [...t.getChild('digit')!].map(String);
  const pixels = Array.from({ length: 784 }, (_, p) => [...t.getChild(`p${p}`)!] as number[]);
  const lines = ['label,' + pixels.map((_, p) => `pixel${p}`).join(',')];
  for (let r = 0; r < 300; r++) lines.push(`${digits[r]},${pixels.map((c) => c[r]).join(',')}`);
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'mnist_train.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '300', { timeout: 60_000 });
  await expect(page.getByTestId('label-select')).toHaveValue('label');
  const classes = new Set(digits.slice(0, 300)).size;
  await expect(page.getByTestId('task-select').locator('option').first()).toHaveText(
    `auto: classification (${classes} whole-number values)`,
  );
  const form = page.getByTestId('config-form');
  await form.getByLabel('Epochs').fill('2');
  const status = page.getByTestId('run-status');
  await page.getByTestId('train-button').click();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('run-validation')).toContainText(/accuracy [\d.]+ %/);

  await page.getByTestId('task-select').selectOption('regression');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-validation')).toContainText(/RMSE [\d.]+/, { timeout: 90_000 });
  await expect(status).toHaveAttribute('data-status', 'done');
  // Two rows: the regression one says so; its RMSE is in digits (the labels spread by about 2.9).
  await expect(page.getByText('mnist_train.csv → label (regression)').first()).toBeAttached();
  const rmse = Number(/RMSE ([\d.]+)/.exec((await page.getByTestId('run-validation').textContent()) ?? '')![1]);
  expect(rmse).toBeGreaterThan(0.3);
  expect(rmse).toBeLessThan(3.5);
  expect(errors).toEqual([]);
});
