/**
 * The one dictionary of a categorical column being built: each distinct string gets the next
 * code, in order of first appearance. Used by the readers (Arrow, JSON) and wherever parts
 * with their own dictionaries are joined (mergeParts, concatTables).
 */
export class StringDictionary {
  /** The strings, by code. */
  readonly strings: string[] = [];
  private readonly codes = new Map<string, number>();

  /** The code of `s`, added if new. */
  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.strings.length;
      this.codes.set(s, c);
      this.strings.push(s);
    }
    return c;
  }

  /** For each string of another dictionary, its code here (added if new). */
  remap(other: readonly string[]): Int32Array {
    const out = new Int32Array(other.length);
    for (let i = 0; i < other.length; i++) out[i] = this.code(other[i]);
    return out;
  }
}
