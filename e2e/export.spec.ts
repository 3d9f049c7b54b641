import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { tableFromIPC } from 'apache-arrow';
import * as ort from 'onnxruntime-web';
import { encodeRow, type Preprocessing } from '../src/core/data/preprocessing';
import { openWorkbench } from './support';

ort.env.wasm.numThreads = 1;
const PYTHON = '/usr/bin/python3';
const torchHere = spawnSync(PYTHON, ['-c', 'import torch, numpy']).status === 0;
if (!torchHere && process.env.CI) throw new Error('python3-torch is missing (scripts/ensure-torch.sh installs it)');

/** Clicks an export button of the one finished run and collects the files it downloads. */
async function exportFiles(
  page: Page,
  format: 'ONNX' | 'tfjs' | 'a PyTorch job',
  count: number,
): Promise<Map<string, Buffer>> {
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
  // The first finished run: the one trained here (an opened record comes after it).
  await page
    .getByRole('button', { name: new RegExp(`^Export run .* as ${format}$`) })
    .first()
    .click();
  await done;
  page.removeAllListeners('download');
  const files = new Map<string, Buffer>();
  for (const d of downloads) files.set(d.suggestedFilename(), readFileSync((await d.path())!));
  return files;
}

test("a finished run exports its model as ONNX, tfjs and a PyTorch job, also after a reload; the job's record opens", async ({
  page,
}) => {
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

  // The results table's row exports the same run's model.
  const fromRow = new Promise<Download[]>((resolve) => {
    const got: Download[] = [];
    page.on('download', (d) => {
      got.push(d);
      if (got.length === 2) resolve(got);
    });
  });
  await page.getByRole('combobox', { name: /^Export the model of the last run of / }).selectOption('onnx');
  const rowFiles = await fromRow;
  page.removeAllListeners('download');
  const rowModel = rowFiles.find((d) => d.suggestedFilename().endsWith('model.onnx'))!;
  expect(readFileSync((await rowModel.path())!).equals(onnxFiles.get(model)!)).toBe(true);

  const tfjsFiles = await exportFiles(page, 'tfjs', 3);
  const json = [...tfjsFiles.keys()].find((n) => n.endsWith('model.json'))!;
  const manifest = JSON.parse(tfjsFiles.get(json)!.toString());
  const weights = manifest.weightsManifest[0].paths[0] as string;
  expect(tfjsFiles.has(weights)).toBe(true);
  expect(tfjsFiles.get(weights)!.byteLength).toBe(4 * (10 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3));

  // Quantize: the run's model as f16, int8 and int8 with int8 activations, evaluated on its rows; the
  // float form's validation accuracy is the one the run reported.
  await page
    .getByRole('button', { name: /^Quantize run / })
    .first()
    .click();
  const forms = page.getByTestId('quantized');
  await expect(forms.locator('tbody tr')).toHaveCount(4);
  const floatAcc = Number(await forms.locator('tr[data-mode="float"]').getAttribute('data-val-accuracy'));
  const int8Acc = Number(await forms.locator('tr[data-mode="int8"]').getAttribute('data-val-accuracy'));
  const shown = await page.getByTestId('run-status').innerText();
  expect(shown).toContain(`${(100 * floatAcc).toFixed(1)}`);
  expect(Math.abs(int8Acc - floatAcc)).toBeLessThanOrEqual(0.03);

  // The weights are kept with the stored run: the same model after a reload.
  await page.reload();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  const again = await exportFiles(page, 'ONNX', 2);
  expect(again.get(model)!.equals(onnxFiles.get(model)!)).toBe(true);

  // The PyTorch bundle: one zip of its folder, data.npz included (the run's dataset is the loaded one).
  const [zipName, zipBytes] = [...(await exportFiles(page, 'a PyTorch job', 1)).entries()][0];
  expect(zipName).toMatch(/pytorch\.zip$/);
  const dir = mkdtempSync(join(tmpdir(), 'tb-e2e-pytorch-'));
  writeFileSync(join(dir, 'bundle.zip'), zipBytes);
  const unzip = spawnSync(
    PYTHON,
    [
      '-c',
      'import zipfile, sys; z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2]); print("\\n".join(z.namelist()))',
      join(dir, 'bundle.zip'),
      dir,
    ],
    { encoding: 'utf8' },
  );
  expect(unzip.status).toBe(0);
  const entries = unzip.stdout
    .trim()
    .split('\n')
    .map((n) => n.split('/').pop());
  expect(entries.sort()).toEqual([
    'README.md',
    'bundle.json',
    'data.npz',
    'initial_weights.npz',
    'model.py',
    'preprocessing.json',
    'train_ddp.py',
    'trained_weights.npz',
  ]);

  // With torch here (CI installs it): the browser-trained weights in model.py give the ONNX export's
  // outputs on data.npz's rows; the job trains, and its record opens beside the browser's run.
  if (torchHere) {
    const folder = join(dir, unzip.stdout.trim().split('\n')[0].split('/')[0]);
    const predict = spawnSync(
      PYTHON,
      [
        '-c',
        [
          'import json, sys, numpy as np, torch',
          'from model import WorkbenchModel, load_workbench_weights',
          'b = json.load(open("bundle.json")); x = np.load("data.npz")["x"]',
          'm = WorkbenchModel(b["model"], b["preprocessing"]["dim"], b["outputs"])',
          'load_workbench_weights(m, np.load("trained_weights.npz"), [t["name"] for t in b["tensors"]])',
          'sys.stdout.buffer.write(x.tobytes() + m(torch.from_numpy(x)).detach().numpy().astype("<f4").tobytes())',
        ].join('\n'),
      ],
      { cwd: folder },
    );
    expect(predict.status, predict.stderr.toString()).toBe(0);
    const both = new Float32Array(new Uint8Array(predict.stdout).buffer);
    const rowsN = both.length / (pre.dim + 3);
    const xs = both.subarray(0, rowsN * pre.dim);
    const torchOut = both.subarray(rowsN * pre.dim);
    const onnxOut = (await session.run({ input: new ort.Tensor('float32', xs.slice(), [rowsN, pre.dim]) })).output
      .data as Float32Array;
    for (let i = 0; i < onnxOut.length; i++) expect(Math.abs(torchOut[i] - onnxOut[i])).toBeLessThan(1e-4);
    const job = spawnSync(PYTHON, ['train_ddp.py', '--workbench-order', '--out', join(dir, 'run-pytorch.json')], {
      cwd: folder,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(job.status, job.stderr).toBe(0);
    await page.getByTestId('record-input').setInputFiles(join(dir, 'run-pytorch.json'));
    await expect(page.getByTestId('finished-run')).toHaveCount(2);
    await expect(page.getByTestId('finished-run').nth(1)).toContainText('pytorch');
    // Given to the dataset picker (or dropped), a record opens as a run too: this one is open already.
    await page.getByTestId('file-input').setInputFiles(join(dir, 'run-pytorch.json'));
    await expect(page.getByText(/run-pytorch\.json: run pytorch-.* is open already/)).toBeVisible();
    await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '344');
  }

  // Another dataset loaded: the PyTorch export asks, and without data.npz on yes.
  await page.getByRole('button', { name: /^MNIST digits/ }).click();
  await expect(page.getByTestId('dataset-summary')).toHaveAttribute('data-rows', '2000');
  page.once('dialog', (d) => void d.accept());
  const [, bare] = [...(await exportFiles(page, 'a PyTorch job', 1)).entries()][0];
  writeFileSync(join(dir, 'bare.zip'), bare);
  const list = spawnSync(
    PYTHON,
    ['-c', 'import zipfile, sys; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(dir, 'bare.zip')],
    { encoding: 'utf8' },
  );
  expect(list.stdout).toContain('model.py');
  expect(list.stdout).not.toContain('data.npz');
  expect(errors).toEqual([]);
});
