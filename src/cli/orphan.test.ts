/**
 * A killed CLI leaves no process behind (issue 12: after `npx` was killed its tsx child kept
 * running, one to 3 GB). The CLI is started the way users start it, `npm run cli -- ...` or
 * `npx tsx src/cli/main.ts ...`, in a process group of its own, on a data file in a folder
 * made for the test (its path marks the test's processes in `ps`, so parallel tests do not
 * collide); once it trains, one process of the chain gets a signal, and within a few seconds
 * no process naming that folder may be left. Linux only (it reads `ps`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Processes whose command line holds `marker`: pid, parent and command line. */
function processes(marker: string): { pid: number; ppid: number; args: string }[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter((l) => l.includes(marker))
    .map((l) => {
      const [, pid, ppid, args] = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
      return { pid: Number(pid), ppid: Number(ppid), args };
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => T | null | undefined | false): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

type Launch = 'npm run cli' | 'npx tsx';
type Target = 'top' | 'tsx' | 'group';

/**
 * Starts a long training run, waits for its first epoch, sends `signal` to the top process
 * (npm or npx) or to tsx's own node, and returns what is left after up to 8 s.
 */
async function killAndLook(
  launch: Launch,
  target: Target,
  signal: NodeJS.Signals,
  when: 'training' | 'starting' = 'training',
): Promise<{ before: string[]; left: string[] }> {
  const folder = mkdtempSync(join(tmpdir(), 'tb-orphan-'));
  const data = join(folder, 'penguins.arrow');
  copyFileSync('public/datasets/penguins.arrow', data);
  const cliArgs = ['train', '--data', data, '--epochs', '100000', '--backend', 'cpu', '--batch', '32'];
  const [cmd, args] =
    launch === 'npm run cli'
      ? ['npm', ['run', 'cli', '--', ...cliArgs]]
      : ['npx', ['tsx', 'src/cli/main.ts', ...cliArgs]];
  const child: ChildProcess = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    if (when === 'starting') {
      // As soon as npm has started its shell: the CLI's watch may not have looked around yet.
      await until('npm to start sh', 60_000, () => processes(folder).some((p) => p.args.startsWith('sh -c')));
      process.kill(child.pid!, signal);
      const end = Date.now() + 30_000;
      let left = processes(folder);
      while (left.length > 0 && Date.now() < end) {
        await sleep(200);
        left = processes(folder);
      }
      return { before: [], left: left.map((p) => `${p.pid} ${p.args}`) };
    }
    await until('the first epoch', 90_000, () => /^epoch 1\//m.test(stderr) || child.exitCode !== null);
    expect(child.exitCode, stderr).toBeNull();
    const before = processes(folder);
    // The chain: npm (or npx), sh -c, tsx's node, the CLI's node.
    const cliNode = before.find((p) => p.args.includes('preflight.cjs') && p.args.includes('src/cli/main.ts'));
    const tsx = before.find((p) => p.pid === cliNode?.ppid);
    expect(cliNode, JSON.stringify(before)).toBeDefined();
    expect(tsx, JSON.stringify(before)).toBeDefined();
    // 'group': what a terminal's Ctrl-C does (every process of the foreground group).
    process.kill(target === 'top' ? child.pid! : target === 'group' ? -child.pid! : tsx!.pid, signal);
    const end = Date.now() + 8_000;
    let left = processes(folder);
    while (left.length > 0 && Date.now() < end) {
      await sleep(200);
      left = processes(folder);
    }
    return { before: before.map((p) => p.args), left: left.map((p) => `${p.pid} ${p.args}`) };
  } finally {
    // Whatever the outcome, the test's own process group goes.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe.skipIf(!existsSync('/proc/self/stat'))('a killed CLI leaves no process behind', () => {
  it('npm run cli: SIGKILL to npm ends sh, tsx and the CLI', async () => {
    const { before, left } = await killAndLook('npm run cli', 'top', 'SIGKILL');
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(left).toEqual([]);
  }, 120_000);

  it('npx tsx src/cli/main.ts: SIGKILL to npx ends tsx and the CLI', async () => {
    const { before, left } = await killAndLook('npx tsx', 'top', 'SIGKILL');
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(left).toEqual([]);
  }, 120_000);

  it('npm run cli: SIGKILL to npm while the CLI is still starting (its sh already under init)', async () => {
    const { left } = await killAndLook('npm run cli', 'top', 'SIGKILL', 'starting');
    expect(left).toEqual([]);
  }, 120_000);

  it(
    'SIGKILL to tsx (the CLI loses its parent), SIGHUP to tsx (tsx does not relay it), SIGTERM to npm, ' +
      'SIGINT to the group',
    async () => {
      for (const [target, signal] of [
        ['tsx', 'SIGKILL'],
        ['tsx', 'SIGHUP'],
        ['top', 'SIGTERM'],
        ['group', 'SIGINT'],
      ] as const) {
        const { left } = await killAndLook('npm run cli', target, signal);
        expect(left, `${signal} to ${target}`).toEqual([]);
      }
    },
    400_000,
  );
});
