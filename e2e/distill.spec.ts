import { expect, test } from '@playwright/test';
import { openWorkbench } from './support';

test('a run distilled from a finished one shows its teacher and the change against the same run alone; it survives a reload', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = await openWorkbench(page);
  await page.getByLabel('Epochs').fill('3');
  // The teacher: the form's configuration as it is.
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });

  await page.getByTestId('distill-on').check();
  await expect(page.getByLabel('Teacher run', { exact: true })).toHaveValue(/^run-/);
  // A setting the trainer cannot honour is refused, naming the field.
  await page.getByLabel('Temperature').fill('0');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('settings-error')).toContainText('distill.temperature');
  await page.getByLabel('Temperature').fill('2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('settings-error')).toHaveCount(0);
  // The student has the teacher's own configuration otherwise: that run is its twin without a teacher.
  const note = page.getByTestId('distill-note');
  await expect(note).toContainText(/teacher MLP .* · [+-]\d+\.\d points vs no teacher \(1 seed\)/, { timeout: 90_000 });
  await expect(page.getByTestId('results-table')).toContainText(/distilled from run-\S+ \(T 2, α 0\.5\)/);
  await expect(page.getByTestId('run-status').first()).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await page.waitForTimeout(500);

  await page.reload();
  await expect(page.getByTestId('distill-note')).toContainText(/teacher MLP .* vs no teacher \(1 seed\)/, {
    timeout: 30_000,
  });
  expect(errors).toEqual([]);
});
