import { expect, type Page } from '@playwright/test';

/** Loads the page, waits for the default sample (penguins), and collects page errors. */
export async function openWorkbench(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  return errors;
}
