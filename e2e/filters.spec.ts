import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

test('a row filter counts the rows it keeps as it is typed, refuses what it cannot read, and a run trains on its rows', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = await openWorkbench(page);
  const input = page.getByTestId('where-input');
  const status = page.getByTestId('where-status');
  await input.fill("Island = 'Dream'");
  // Penguins: 124 of the 344 rows are from Dream.
  await expect(status).toHaveAttribute('data-rows', '124');
  await expect(status).toContainText('124 of 344 rows');
  await expect(page.getByTestId('where-notes')).toHaveCount(0);
  // A value Island never holds keeps no rows of its own; the box says so, with the value meant.
  await input.fill("Island in ('Dream', 'biscoe')");
  await expect(status).toHaveAttribute('data-rows', '124');
  await expect(page.getByTestId('where-notes')).toHaveText(
    `('biscoe' is no value of "Island" (did you mean 'Biscoe'?))`,
  );
  await input.fill('Island < 3');
  await expect(status).toContainText('column "Island" holds categories');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('settings-error')).toContainText('data.where');
  await input.fill(`Island = 'Dream' and "Body Mass (g)" >= 3500`);
  await expect(status).toHaveAttribute('data-rows', /^\d+$/);
  const kept = Number(await status.getAttribute('data-rows'));
  expect(kept).toBeGreaterThan(50);
  expect(kept).toBeLessThan(124);
  await page.getByLabel('Epochs').fill('1');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  // One epoch over the kept rows' training split (80 %), batches of 32.
  const steps = Number(await page.getByTestId('run-status').getAttribute('data-steps'));
  expect(steps).toBe(Math.ceil(Math.round(kept * 0.8) / 32));
  // The run's whole configuration (the row's title) names the filter.
  await expect(page.getByTestId('results-row').locator('th')).toHaveAttribute(
    'title',
    /penguins\.arrow where Island = 'Dream' and "Body Mass \(g\)" >= 3500 → Species/,
  );
  expect(errors).toEqual([]);
});
