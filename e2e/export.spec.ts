import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { tableFromIPC } from 'apache-arrow';
import * as ort from 'onnxruntime-web';
import { encodeRow, type Preprocessing } from '../src/core/data/preprocessing';
import { openWorkbench } from './support';

ort.env.wasm.numThreads = 1;

/** Clicks an export button of the one finished run and collects the files it downloads. */
async function exportFiles(page: Page, format: 'ONNX' | 'tfjs', count: number): Promise<Map<string, Buffer>> {
  // "Runs (n)" or "Hide runs": the list stays open across a reload.
  const open = page.locator('button[aria-controls="queue-details"]');
  if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
  const downloads: Download[] = [];
  const done = new Promise<void>((resolve) => {
    page.on('download', (d) => {
      downloads.push(d);
      if (downloads.length === count) resolve();
    });
  });
  await page.getByRole('button', { name: new RegExp(`^Export run .* as ${format}$`) }).click();
  await done;
  page.removeAllListeners('download');
  const files = new Map<string, Buffer>();
  for (const d of downloads) files.set(d.suggestedFilename(), readFileSync((await d.path())!));
  return files;
}

test('a finished run exports its model as ONNX and tfjs, also after a reload', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openWorkbench(page);
  await page.getByLabel('Epochs').fill('3');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });

  const onnxFiles = await exportFiles(page, 'ONNX', 2);
  const names = [...onnxFiles.keys()].sort();
  expect(names).toHaveLength(2);
  const model = names.find((n) => n.endsWith('model.onnx'))!;
  const pre = JSON.parse(
    onnxFiles.get(names.find((n) => n.endsWith('preprocessing.json'))!)!.toString(),
  ) as Preprocessing;
  expect(pre.classes).toHaveLength(3);

  // Scored by ONNX Runtime on every row of the sample, read by apache-arrow and encoded by preprocessing.json.
  const table = tableFromIPC(readFileSync('public/datasets/penguins.arrow'));
  const rows = Array.from({ length: table.numRows }, (_, i) => table.get(i)!.toJSON() as Record<string, unknown>);
  const labelled = rows.filter((r) => r[pre.label] !== null);
  const x = new Float32Array(labelled.length * pre.dim);
  labelled.forEach((r, i) => encodeRow(pre, r, x.subarray(i * pre.dim, (i + 1) * pre.dim)));
  const session = await ort.InferenceSession.create(onnxFiles.get(model)!);
  const out = (await session.run({ input: new ort.Tensor('float32', x, [labelled.length, pre.dim]) })).output
    .data as Float32Array;
  let right = 0;
  labelled.forEach((r, i) => {
    const logits = Array.from(out.subarray(i * 3, i * 3 + 3));
    if (pre.classes![logits.indexOf(Math.max(...logits))] === r[pre.label]) right++;
  });
  // Three epochs of the default MLP on penguins: well above the 44 % of the largest class.
  expect(right / labelled.length).toBeGreaterThan(0.85);

  const tfjsFiles = await exportFiles(page, 'tfjs', 3);
  const json = [...tfjsFiles.keys()].find((n) => n.endsWith('model.json'))!;
  const manifest = JSON.parse(tfjsFiles.get(json)!.toString());
  const weights = manifest.weightsManifest[0].paths[0] as string;
  expect(tfjsFiles.has(weights)).toBe(true);
  expect(tfjsFiles.get(weights)!.byteLength).toBe(4 * (10 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3));

  // The weights are kept with the stored run: the same model after a reload.
  await page.reload();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  const again = await exportFiles(page, 'ONNX', 2);
  expect(again.get(model)!.equals(onnxFiles.get(model)!)).toBe(true);
  expect(errors).toEqual([]);
});
