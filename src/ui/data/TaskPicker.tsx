import { labelTask, type Task } from '../../core/data/encode';
import type { ColumnStats } from '../../core/data/stats';

/**
 * Classification or regression for the label: "auto" reads it from the label's values (a
 * categorical or boolean label, or whole numbers with at most 20 values, are classes) and says
 * what it chose and why. The Data panel and the stream offer show it under their label.
 */
export function TaskPicker({
  stats,
  task,
  onChange,
  testId = 'task-select',
}: {
  stats: ColumnStats | undefined;
  task: Task | null;
  onChange: (task: Task | null) => void;
  testId?: string;
}) {
  if (!stats) return null;
  const auto = labelTask(stats);
  const classes = stats.type === 'categorical' || stats.type === 'bool';
  return (
    <label className="task-picker">
      Task{' '}
      <select
        value={task ?? ''}
        onChange={(e) => onChange((e.target.value || null) as Task | null)}
        data-testid={testId}
        title="What the run learns from the label"
      >
        <option value="">
          auto: {auto.task} ({auto.reason})
        </option>
        <option value="classification">classification</option>
        <option value="regression" disabled={classes}>
          regression{classes ? ' (needs a numeric label)' : ''}
        </option>
      </select>
    </label>
  );
}
