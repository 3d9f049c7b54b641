/**
 * Distillation end to end from the CLI (tfjs engine, cpu backend), on the MNIST sample: a
 * teacher MLP (128 hidden units) trained once, then a small student (16 hidden units) trained
 * alone and distilled from the teacher's record, seeds 1-3, everything else the same. What must
 * hold: the record keeps the setting (the teacher's path resolved against the config file), and
 * the distilled students follow their teacher: over the three seeds they agree with its
 * predictions on the validation rows more often than the students trained alone (the whole
 * point of matching its softened logits). The accuracy difference is printed, whichever way it
 * goes (README, Smaller models). Then the refusals, naming distill.teacher and the file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { teacherLogits } from '../../core/compress/distill';
import { encodeTable, encodeWithInputs } from '../../core/data/encode';
import { readTable } from '../../core/data/read';
import type { RunRecord } from '../../core/train/record';
import { readTrainedRecord } from '../../core/train/trained';
import { cpuTrainArgs, runCli } from '../cli-process.test-support';

const MNIST = 'public/datasets/mnist-2k.arrow';
const PENGUINS = 'public/datasets/penguins.arrow';
const dir = mkdtempSync(join(tmpdir(), 'tb-distill-'));
const write = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};
const student = { type: 'mlp', hidden: [16], activation: 'relu' };
const train = (data: string, seed: number, config: unknown, extra: string[] = []) =>
  runCli(
    cpuTrainArgs(data, { epochs: 8, seed }, [
      '--config',
      write(`config-${Math.random().toString(36).slice(2)}.json`, config),
      ...extra,
    ]),
  );

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Each record's predicted class on the run's validation rows (the same split for every run here). */
async function predictions(records: RunRecord[]): Promise<Int32Array[]> {
  const table = readTable(new Uint8Array(readFileSync(MNIST)), 'mnist-2k.arrow');
  const c = records[0].config.data;
  const enc = encodeTable(table, { label: c.label, features: c.features }, c.split);
  const rows = Int32Array.from(enc.split.val, (r) => enc.sourceRows[r]);
  return Promise.all(
    records.map(async (r) => {
      const { trained } = readTrainedRecord(r);
      const logits = await teacherLogits(
        trained,
        encodeWithInputs(table, trained.preprocessing.inputs, rows),
        rows.length,
      );
      const C = trained.outputs;
      return Int32Array.from({ length: rows.length }, (_, i) => {
        let best = 0;
        for (let k = 1; k < C; k++) if (logits[i * C + k] > logits[i * C + best]) best = k;
        return best;
      });
    }),
  );
}

describe('train with distillation', () => {
  let teacherPath = '';

  it('MNIST, seeds 1-3: distilled students agree with their teacher more often than students alone', async () => {
    const t = await train(MNIST, 7, { model: { type: 'mlp', hidden: [128], activation: 'relu' } });
    expect(t.code).toBe(0);
    teacherPath = write('teacher-run.json', t.stdout);
    const teacher = JSON.parse(t.stdout) as RunRecord;
    // Relative to the config file (both sit in `dir`).
    const setting = { teacher: 'teacher-run.json', temperature: 4, alpha: 0.5 };
    const alone: RunRecord[] = [];
    const distilled: RunRecord[] = [];
    for (const seed of [1, 2, 3]) {
      const [a, d] = await Promise.all([
        train(MNIST, seed, { model: student }),
        train(MNIST, seed, { model: student, distill: setting }),
      ]);
      expect(d.stderr).toBe('');
      expect(a.code).toBe(0);
      expect(d.code).toBe(0);
      alone.push(JSON.parse(a.stdout) as RunRecord);
      distilled.push(JSON.parse(d.stdout) as RunRecord);
    }
    expect(distilled[0].config.distill).toEqual({ ...setting, teacher: teacherPath });
    expect(alone[0].config.distill).toBeUndefined();
    const [fromTeacher, ...students] = await predictions([teacher, ...alone, ...distilled]);
    const agreement = (p: Int32Array) => p.filter((v, i) => v === fromTeacher[i]).length / p.length;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const acc = (r: RunRecord) => r.epochs[r.epochs.length - 1].valAccuracy!;
    const agreeAlone = students.slice(0, 3).map(agreement);
    const agreeDistilled = students.slice(3).map(agreement);
    [1, 2, 3].forEach((seed, i) =>
      console.log(
        `seed ${seed}: accuracy alone ${acc(alone[i])} distilled ${acc(distilled[i])} (teacher ${acc(teacher)}); ` +
          `agreement with the teacher alone ${agreeAlone[i]} distilled ${agreeDistilled[i]}`,
      ),
    );
    expect(mean(agreeDistilled)).toBeGreaterThan(mean(agreeAlone));
  }, 600_000);

  it('refuses a teacher of another dataset, another class list, or no file, naming distill.teacher', async () => {
    expect(teacherPath).not.toBe('');
    const setting = (teacher: string) => ({ model: student, distill: { teacher, temperature: 2, alpha: 0.5 } });
    const other = await train(PENGUINS, 1, setting(teacherPath), ['--epochs', '1']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /^train: distill\.teacher: .*teacher-run\.json was trained on mnist-2k\.arrow .*this run uses penguins\.arrow/m,
    );
    // The same run with its class list reordered (a hand-edited record).
    const record = JSON.parse(readFileSync(teacherPath, 'utf8')) as RunRecord;
    record.trained!.preprocessing.classes!.reverse();
    const reordered = await train(MNIST, 1, setting(write('reordered.json', record)), ['--epochs', '1']);
    expect(reordered.code).toBe(1);
    expect(reordered.stderr).toContain(
      `reordered.json has the classes ${JSON.stringify(record.trained!.preprocessing.classes)}, this run `,
    );
    expect(reordered.stderr).toMatch(
      /^train: distill\.teacher: .*a teacher must have the same class list in the same order/,
    );
    const missing = await train(MNIST, 1, setting('nowhere.json'), ['--epochs', '1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/distill\.teacher: the teacher record .*nowhere\.json: cannot be read \(ENOENT\)/);
    const streamed = await train(MNIST, 1, setting(teacherPath), ['--epochs', '1', '--stream']);
    expect(streamed.code).toBe(1);
    expect(streamed.stderr).toMatch(/distill: mnist-2k\.arrow streams chunk by chunk; .*load the file whole/);
    const bad = await train(MNIST, 1, {
      model: student,
      distill: { teacher: teacherPath, temperature: 0, alpha: 0.5 },
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/distill\.temperature: must be a number above 0/);
  }, 300_000);
});
