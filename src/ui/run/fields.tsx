import { useState, type ReactNode } from 'react';
import { parseNumberList } from '../../core/share/matrix';

function sameNumber(a: number | null, b: number | null): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

interface NumberInputProps {
  value: number | null;
  /**
   * Called with the number typed, NaN for text that is not one (validation names it), or null when empty and allowed.
   */
  onCommit: (v: number | null) => void;
  allowEmpty?: boolean;
  placeholder?: string;
  className?: string;
  min?: number;
  step?: number | 'any';
  describedBy?: string;
  disabled?: boolean;
  /** Its accessible name where no label element wraps it (a table cell). */
  label?: string;
}

/**
 * A number field that keeps what is typed (so "0." or "1e-" can be typed through) and
 * follows the store when the value changes elsewhere.
 */
export function NumberInput({
  value,
  onCommit,
  allowEmpty,
  placeholder,
  className,
  min,
  step = 'any',
  describedBy,
  disabled,
  label,
}: NumberInputProps) {
  const show = (v: number | null) => (v === null || Number.isNaN(v) ? '' : String(v));
  const [text, setText] = useState(show(value));
  const [seen, setSeen] = useState(value);
  if (!sameNumber(seen, value)) {
    setSeen(value);
    const typed = text.trim() === '' ? null : Number(text);
    if (!sameNumber(typed, value)) setText(show(value));
  }
  return (
    <input
      type="number"
      inputMode="decimal"
      className={className}
      value={text}
      min={min}
      step={step}
      placeholder={placeholder}
      aria-describedby={describedBy}
      aria-label={label}
      disabled={disabled}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        const v = t.trim() === '' ? (allowEmpty ? null : NaN) : Number(t);
        setSeen(v);
        onCommit(v);
      }}
    />
  );
}

interface ListInputProps {
  values: number[];
  onCommit: (values: number[]) => void;
  describedBy?: string;
}

/**
 * Several numbers, comma- or space-separated ("16, 64"); a bad entry commits NaN so validation names the field.
 * Follows the store when the values change elsewhere (a search's trial put in the form), as NumberInput does.
 */
export function ListInput({ values, onCommit, describedBy }: ListInputProps) {
  const [text, setText] = useState(values.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [seen, setSeen] = useState(values.join(', '));
  const now = values.join(', ');
  if (seen !== now) {
    setSeen(now);
    const parsed = parseNumberList(text);
    // A bad entry committed NaN itself: the text typed stays, for the user to fix.
    const ours = 'error' in parsed ? values.some((v) => Number.isNaN(v)) : parsed.values.join(', ') === now;
    if (!ours) {
      setText(now);
      setError(null);
    }
  }
  return (
    <>
      <input
        type="text"
        inputMode="decimal"
        value={text}
        aria-describedby={describedBy}
        aria-invalid={error !== null}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseNumberList(e.target.value);
          if ('error' in parsed) {
            setError(parsed.error);
            onCommit([NaN]);
          } else {
            setError(null);
            onCommit(parsed.values);
          }
        }}
      />
      {error && <small className="field-error">{error}</small>}
    </>
  );
}

interface ChipsProps<T extends string> {
  legend: ReactNode;
  options: readonly T[];
  selected: readonly T[];
  onChange: (selected: T[]) => void;
  /** Per option: why it cannot be picked, or undefined. */
  disabledWhy?: (o: T) => string | undefined;
  testId?: string;
}

/** Several choices as checkbox chips; at least one stays picked. */
export function Chips<T extends string>({ legend, options, selected, onChange, disabledWhy, testId }: ChipsProps<T>) {
  return (
    <fieldset className="chips" data-testid={testId}>
      <legend>{legend}</legend>
      {options.map((o) => {
        const why = disabledWhy?.(o);
        const on = selected.includes(o);
        return (
          <label key={o} className={`chip${on ? ' on' : ''}${why ? ' disabled' : ''}`} title={why}>
            <input
              type="checkbox"
              checked={on}
              disabled={why !== undefined || (on && selected.length === 1)}
              onChange={() =>
                onChange(on ? selected.filter((s) => s !== o) : options.filter((x) => x === o || selected.includes(x)))
              }
            />
            {o}
          </label>
        );
      })}
    </fieldset>
  );
}
