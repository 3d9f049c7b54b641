/**
 * The one line the CLI prints when a command fails, and its exit code: 2 for a usage error,
 * 1 for anything else. `<command>: <file or field>: <what is wrong>`.
 *
 * DataError, ConfigError, IndexError and GpuError carry messages written for the user (a
 * ConfigError names its field and a GpuError the GPU's failure, so neither is put after the
 * file's name), matched by their class, never by their text. Anything else is
 * an internal error: one line saying the file could not be read (or the command failed),
 * without the exception's text, which is a library's or V8's ("Cannot read properties of
 * null"); --debug prints the stack after it. As a last guard, a user-facing message that
 * quotes such text in parentheses (a reader wrapping an error it did not expect) loses the
 * quote, and one made of nothing else is treated as internal.
 */
import { DataError } from '../core/data/table';
import { IndexError } from '../core/index/errors';
import { ConfigError } from '../core/errors';
import { GpuError } from '../gpu/errors';
import { UsageError } from './args';
import { InternalError } from './decode';

/** Phrases that only V8 or a library writes: never part of a message of ours. */
export const ENGINE_TEXT =
  /Cannot read propert|Cannot set propert|Cannot destructure|reading '|is not a function|is not iterable|is not a constructor|is not defined|Maximum call stack|Invalid (typed )?array length|Array buffer allocation failed|out of bounds|should be a multiple of|not safe to convert|BigInt|fieldsLength|Unexpected (token|end of JSON)|in JSON at position|\bat [\w.<>]+ \(|node:internal/i;

export interface Failure {
  /** The line for stderr, without its newline. */
  line: string;
  code: 1 | 2;
  /** What --debug adds: the stack, or the original text of a message that lost it. */
  detail: string | null;
}

const INTERNAL = 'internal error; rerun with --debug for details';

/**
 * Drops parenthesised quotes of engine text: "x.csv: could not be decoded (Cannot read ...)" -> "x.csv: could not be
 * decoded".
 */
function withoutEngineText(message: string): string {
  // Innermost parentheses first, until nothing changes: "(Cannot read properties of null (reading 'x'))".
  for (let before = ''; before !== message;) {
    before = message;
    message = message.replace(/\s*\(([^()]*)\)/g, (whole, inner: string) => (ENGINE_TEXT.test(inner) ? '' : whole));
  }
  return message;
}

export function describeFailure(command: string, file: string | null, e: unknown): Failure {
  const err = e instanceof Error ? e : null;
  const stack = err?.stack ?? String(e);
  const firstLine = (err?.message ?? '').split('\n')[0].trim();
  if (e instanceof UsageError) return { line: `${command}: ${firstLine}`, code: 2, detail: stack };
  const userFacing =
    e instanceof DataError || e instanceof ConfigError || e instanceof IndexError || e instanceof GpuError;
  if (userFacing && firstLine !== '') {
    const message = withoutEngineText(firstLine);
    if (!ENGINE_TEXT.test(message)) {
      const base = file?.split(/[\\/]/).pop() ?? '';
      const named =
        file === null ||
        e instanceof ConfigError ||
        e instanceof GpuError ||
        message.includes(file) ||
        (base !== '' && message.includes(base));
      return { line: `${command}: ${named ? '' : `${file}: `}${message}`, code: 1, detail: stack };
    }
  }
  const what = e instanceof InternalError || userFacing ? 'could not be read' : 'failed';
  const detail = e instanceof InternalError ? e.detail : stack;
  return { line: `${command}: ${file === null ? '' : `${file}: `}${what} (${INTERNAL})`, code: 1, detail };
}
