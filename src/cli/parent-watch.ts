import { Worker } from 'node:worker_threads';

/**
 * Ends the CLI when the command that launched it is killed. `npm run cli` and `npx tsx` start
 * a chain of processes (npm, `sh -c`, tsx's own node, then this one); a SIGKILL to the top one
 * reaches none of the others, and tsx's child used to keep decoding (one reached 3 GB).
 *
 * A thread of its own (not a timer on the main thread, which a long synchronous decode or
 * training step would hold up) walks up from this process once: the parent, then every
 * ancestor that is part of the launch (its command line names this script, or npm gave it the
 * same `npm_lifecycle_event`), up to the first one that is not (npm itself, or the user's
 * shell). Twice a second it checks that this process and each launcher below the top still
 * have the parent they started with (a process whose parent dies is given to init or a
 * subreaper) and that each is alive and the same process (start time from /proc); the top one
 * may outlive its own parent (`nohup npm run cli ... &`). When one is gone it sends this
 * process SIGTERM, then SIGKILL. Without /proc (macOS) only the direct parent is watched.
 *
 * SIGINT, SIGTERM and SIGHUP keep their default action (the process ends at once, even inside
 * a synchronous loop, threads included; nothing here registers a handler): tsx relays SIGINT
 * and SIGTERM to this process, and a SIGHUP that ends tsx is seen here as a lost parent.
 */
export function watchLauncher(intervalMs = 500): void {
  const worker = new Worker(WATCH_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: {
      pid: process.pid,
      ppid: process.ppid,
      script: process.argv[1] ?? '',
      lifecycle: process.env.npm_lifecycle_event ?? null,
      intervalMs,
    },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  // The watch is a safeguard: if it cannot run, the command still does.
  worker.on('error', () => undefined);
}

/** The watch thread (plain JavaScript: it runs without the TypeScript loader). */
const WATCH_SOURCE = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const { workerData } = require('node:worker_threads');
const { pid, ppid, script, lifecycle, intervalMs } = workerData;

// /proc/PID/stat: state, parent and start time, or null when the process is gone or a zombie.
function stat(p) {
  try {
    const s = fs.readFileSync('/proc/' + p + '/stat', 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') return null;
    return { ppid: Number(f[1]), start: f[19] };
  } catch {
    return null;
  }
}

// Started by the same npm run (npm gives its children npm_lifecycle_event).
function npmChild(p) {
  try {
    return lifecycle !== null && fs.readFileSync('/proc/' + p + '/environ', 'utf8').split('\0').includes('npm_lifecycle_event=' + lifecycle);
  } catch {
    return false;
  }
}

// A command line naming this script (tsx's node, npx, a sh -c).
function namesScript(p) {
  try {
    const cwd = fs.readlinkSync('/proc/' + p + '/cwd');
    const words = fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').split(/[\0\s]+/);
    return script !== '' && words.some((w) => w !== '' && path.resolve(cwd, w) === script);
  } catch {
    return false;
  }
}

// Launchers below the top: each must keep its parent. The top (npm, or the shell) need not.
const chain = [];
let orphaned = false;
if (fs.existsSync('/proc/self/stat')) {
  let p = ppid;
  let s = stat(p);
  for (let depth = 0; depth < 8 && s !== null; depth++) {
    const byNpm = npmChild(p);
    if (!byNpm && !namesScript(p)) break;
    // npm waits for what it starts: one of them under init already means npm was killed.
    if (s.ppid <= 1) {
      orphaned = byNpm;
      break;
    }
    chain.push({ pid: p, ppid: s.ppid, start: s.start });
    p = s.ppid;
    s = stat(p);
  }
}

let ending = false;
setInterval(() => {
  if (ending) return;
  let gone = orphaned || process.ppid !== ppid;
  for (const w of chain) {
    if (gone) break;
    const now = stat(w.pid);
    gone = now === null || now.start !== w.start || now.ppid !== w.ppid;
  }
  if (!gone) return;
  ending = true;
  try { process.kill(pid, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} }, 2000);
}, intervalMs);
`;
