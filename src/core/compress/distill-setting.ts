/**
 * The `distill` run setting's checks (the loss and the teacher's logits are in distill.ts): kept
 * apart from tfjs, so that the data worker, which checks a teacher's classes, does not load it.
 */
import { ConfigError, refuseUnknownKeys } from '../errors';
import type { DistillSetting, RunConfig } from '../train/record';

export interface DistillWeights {
  temperature: number;
  alpha: number;
}

/** Refuses a temperature or weight the loss cannot use, naming the field. */
export function validateDistillWeights(d: DistillWeights): void {
  if (typeof d.temperature !== 'number' || !(d.temperature > 0 && d.temperature <= 100))
    throw new ConfigError(
      'distill.temperature',
      `must be a number above 0 and at most 100, got ${JSON.stringify(d.temperature)}`,
    );
  if (typeof d.alpha !== 'number' || !(d.alpha >= 0 && d.alpha <= 1))
    throw new ConfigError(
      'distill.alpha',
      `must be a number from 0 to 1 (the weight of the labels' loss), got ${JSON.stringify(d.alpha)}`,
    );
}

/** The longest teacher name taken (a run id or a file path). */
export const MAX_TEACHER_NAME = 4096;

const DISTILL_KEYS: readonly string[] = ['teacher', 'temperature', 'alpha'] satisfies (keyof DistillSetting)[];

/** Refuses a distill setting the run cannot honour, naming the field. */
export function validateDistill(d: DistillSetting): void {
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    throw new ConfigError('distill', 'must be an object or null');
  refuseUnknownKeys(d, DISTILL_KEYS, 'distill', 'a distillation setting');
  if (typeof d.teacher !== 'string' || d.teacher.trim() === '' || d.teacher.length > MAX_TEACHER_NAME)
    throw new ConfigError(
      'distill.teacher',
      `must name the teacher run (a run id in the workbench, a run record's path on the command line), got ${JSON.stringify(d.teacher)}`,
    );
  validateDistillWeights(d);
}

/** What a teacher must share with its student, beyond its weights. */
export interface TeacherFacts {
  /** The teacher's run title or file, for messages. */
  name: string;
  config: Pick<RunConfig, 'data'>;
  classes: readonly string[] | null;
  task: 'classification' | 'regression';
}

/**
 * Refuses a teacher trained on another dataset or label, or for another task: its logits would
 * be about other rows or other outcomes. (The class list is checked once the student's rows are
 * encoded: `checkTeacherClasses`.)
 */
export function checkTeacher(teacher: TeacherFacts, student: Pick<RunConfig, 'data'>): void {
  const t = teacher.config.data;
  const s = student.data;
  if (teacher.task !== 'classification')
    throw new ConfigError(
      'distill.teacher',
      `${teacher.name} is a regression run; distillation needs a classification teacher (class logits to match)`,
    );
  if (s.task === 'regression')
    throw new ConfigError(
      'distill.teacher',
      `this run asks for regression (data.task); distillation trains a classifier on ${teacher.name}'s class logits`,
    );
  if (t.fingerprint !== s.fingerprint)
    throw new ConfigError(
      'distill.teacher',
      `${teacher.name} was trained on ${t.name} (${t.rows} rows), this run uses ${s.name} (${s.rows} rows): ` +
        'a teacher must have been trained on the same dataset',
    );
  if (t.label !== s.label)
    throw new ConfigError(
      'distill.teacher',
      `${teacher.name} predicts "${t.label}", this run predicts "${s.label}": a teacher must have the same label`,
    );
}

/** Refuses a teacher whose classes (in output order) are not the student's. */
export function checkTeacherClasses(
  name: string,
  teacher: readonly string[] | null,
  student: readonly string[] | null,
) {
  if (student === null)
    throw new ConfigError(
      'distill.teacher',
      `this run is a regression (its label read as a quantity), ${name} a classifier: distillation needs ` +
        'classes on both sides (set data.task to classification, as the teacher was trained)',
    );
  if (JSON.stringify(teacher) !== JSON.stringify(student))
    throw new ConfigError(
      'distill.teacher',
      `${name} has the classes ${JSON.stringify(teacher)}, this run ${JSON.stringify(student)}: ` +
        'a teacher must have the same class list in the same order',
    );
}
