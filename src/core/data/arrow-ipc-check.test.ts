/**
 * Damaged Arrow IPC framing, built in code from a real table: each case is read in a child
 * process with a time and heap limit (the failures it guards against are a hang and an
 * unbounded allocation inside apache-arrow), and must end in a specific DataError.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { checkArrowIpc, type IpcLayout } from './arrow-ipc-check';

const table = new Table({
  x: vectorFromArray([1.5, 2.5, 3.5, 4.5], new Float64()),
  n: vectorFromArray([1, 2, 3, 4], new Int32()),
  s: vectorFromArray(['a', 'b', 'a', 'c'], new Utf8()),
});

function layoutOf(bytes: Uint8Array, fileForm: boolean): IpcLayout {
  const layout: IpcLayout = { messages: [], blocks: [] };
  checkArrowIpc(bytes, 'fixture', fileForm, layout);
  return layout;
}

const dir = mkdtempSync(join(tmpdir(), 'tb-arrow-'));

/** Reads the bytes with the project's reader in a child (5 s, 512 MB heap); its stdout: the error message or 'read'. */
function readInChild(bytes: Uint8Array, name: string): { out: string; status: number | null; signal: string | null } {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const code = `import { readFileSync } from 'node:fs'; import { readTable } from './src/core/data/read.ts';
    try { readTable(new Uint8Array(readFileSync(${JSON.stringify(file)})), ${JSON.stringify(name)}); console.log('read'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(
    process.execPath,
    ['--max-old-space-size=512', '--import', 'tsx', '--input-type=module', '-e', code],
    { encoding: 'utf8', timeout: 15_000 },
  );
  return { out: r.stdout.trim(), status: r.status, signal: r.signal };
}

const setI32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setInt32(at, v, true);
const setI64 = (b: Uint8Array, at: number, v: number) => {
  const view = new DataView(b.buffer, b.byteOffset);
  view.setUint32(at, v % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
};

describe('Arrow IPC framing checked against the bytes', () => {
  it('a huge negative metadata length: a specific error, not a hang', () => {
    const stream = tableToIPC(table, 'stream').slice();
    const batch = layoutOf(stream, false).messages.find((m) => m.headerType === 3)!;
    setI32(stream, batch.lengthAt, -2_000_000_000);
    const r = readInChild(stream, 'neg.arrows');
    expect(r.signal).toBeNull();
    expect(r.out).toMatch(
      /^DataError: neg\.arrows: not a readable Arrow IPC stream: message 2 declares -2000000000 bytes of metadata/,
    );
  });

  it('a footer block off by one byte: a specific error, not a hang', () => {
    const file = tableToIPC(table, 'file').slice();
    const [block] = layoutOf(file, true).blocks.slice(-1);
    const view = new DataView(file.buffer);
    setI64(file, block, view.getUint32(block, true) + 1);
    const r = readInChild(file, 'offbyone.arrow');
    expect(r.signal).toBeNull();
    expect(r.out).toMatch(/^DataError: offbyone\.arrow: not a readable Arrow IPC file: footer record batch block 0/);
  });

  it('a node list of 2^31 - 1 entries: refused before anything is allocated', () => {
    const stream = tableToIPC(table, 'stream').slice();
    const batch = layoutOf(stream, false).messages.find((m) => m.headerType === 3)!;
    setI32(stream, batch.nodesAt!, 2 ** 31 - 1);
    const r = readInChild(stream, 'nodes.arrows');
    expect(r.signal).toBeNull();
    expect(r.out).toMatch(/^DataError: nodes\.arrows: .*a list of 2147483647 entries is longer than its message/);
  });

  it('a record batch of 2^32 rows: refused, naming the count', () => {
    const stream = tableToIPC(table, 'stream').slice();
    const batch = layoutOf(stream, false).messages.find((m) => m.headerType === 3)!;
    setI64(stream, batch.rowsAt!, 2 ** 32);
    const r = readInChild(stream, 'rows.arrows');
    expect(r.signal).toBeNull();
    expect(r.out).toMatch(/^DataError: rows\.arrows: .*declares 4294967296 rows/);
  });

  it(
    'the undamaged stream and file still read, and every file of the Arrow conformance corpus passes the check ' +
      '(ListView and RunEndEncoded too: they are rewritten for apache-arrow, not refused)',
    () => {
      expect(readInChild(tableToIPC(table, 'stream'), 'ok.arrows').out).toBe('read');
      expect(readInChild(tableToIPC(table, 'file'), 'ok.arrow').out).toBe('read');
      const root = 'src/fixtures/conformance/arrow-testing';
      const files: string[] = [];
      const walk = (d: string) => {
        for (const f of readdirSync(d)) {
          const p = join(d, f);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.(arrow_file|stream)$/.test(f)) files.push(p);
        }
      };
      walk(root);
      expect(files.length).toBeGreaterThan(50);
      for (const f of files) {
        const b = new Uint8Array(readFileSync(f));
        expect(() => checkArrowIpc(b, f, f.endsWith('.arrow_file')), f).not.toThrow();
      }
    },
    60_000,
  );
});

describe('compressed record batches in the framing check', () => {
  const zstd = () =>
    new Uint8Array(readFileSync('src/fixtures/conformance/arrow-testing/2.0.0-compression/generated_zstd.stream'));
  /** The position of the first record batch's buffer list entry `i` (int64 offset, int64 length). */
  const bufferAt = (bytes: Uint8Array, i: number) =>
    layoutOf(bytes, false).messages.find((m) => m.headerType === 3)!.buffersAt! + 4 + 16 * i;
  const nonEmpty = (bytes: Uint8Array) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; ; i++) if (view.getUint32(bufferAt(bytes, i) + 8, true) > 8) return i;
  };

  it('a compressed buffer too short for its 8-byte length is refused, naming it', () => {
    const bytes = zstd();
    const i = nonEmpty(bytes);
    setI64(bytes, bufferAt(bytes, i) + 8, 5);
    expect(() => checkArrowIpc(bytes, 'short.arrows', false)).toThrow(
      `short.arrows: not a readable Arrow IPC stream: record batch in message 2: ` +
        `compressed buffer ${i} has 5 bytes, too few for its 8-byte uncompressed length`,
    );
  });

  it('a declared uncompressed length beyond what the bytes can hold is refused before anything is allocated', () => {
    const bytes = zstd();
    const i = nonEmpty(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const at = bufferAt(bytes, i);
    const bodyStart = layoutOf(bytes, false).messages.find((m) => m.headerType === 3)!.lengthAt;
    const length = view.getUint32(at + 8, true);
    // Find the buffer's body position from the message: metadata length, then the body.
    const body = bodyStart + 4 + view.getInt32(bodyStart, true) + view.getUint32(at, true);
    setI64(bytes, body, 2 ** 40);
    expect(() => checkArrowIpc(bytes, 'huge.arrows', false)).toThrow(
      new RegExp(
        `compressed buffer ${i} declares 1099511627776 bytes uncompressed, but ${length - 8} bytes of ZSTD ` +
          `hold at most \\d+`,
      ),
    );
  });
});
