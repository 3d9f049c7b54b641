/**
 * Share links (format: core/share/link.ts). Making one packs the finished runs, the dataset's
 * name, fingerprint and address, and the baseline into the URL fragment, deflated. Opening one
 * (at start-up, from the page's address) validates it, adds its runs to the comparison as runs
 * from elsewhere (their own rows, labelled with where they ran; they persist like any finished
 * run), and offers to train the same configurations here, on the same data, for a side-by-side
 * comparison of the two machines. A bad link gets a message; nothing loaded is touched.
 */
import { SHARE_PREFIX, isSafeUrl, makePayload } from '../core/share/link';
import { packPayload, unpackPayload } from './share-pack';
import { configKey, environmentLabel } from '../core/train/results';
import { errorText } from './workers';
import { fromStored, toStored } from './persist';
import { rerunConfig } from './queued-config';
import { loadUrl } from './data-actions';
import { app } from './app';
import { store, type RunView, type SearchView } from './store';
import { searchFromRecord, searchRecord } from './search-store';

const FINISHED = new Set(['done', 'stopped', 'failed']);

type State = ReturnType<typeof store.getState>;

/**
 * Why a link cannot be made now, or null when it can: no finished run to share, or a dataset
 * still loading (a link made then would name no dataset, or the one being replaced, and whoever
 * opens it could not train the runs on the same data).
 */
export function shareBlocked(s: State): string | null {
  if (!s.runs.some((r) => FINISHED.has(r.status) && r.steps.length > 0)) return 'Finish a run to share the comparison';
  if (s.dataset.status === 'loading') return 'Wait for the dataset to load: the link names it and its checksum';
  return null;
}

/** Makes a link from the finished runs (the store's `share` slice gets it, or the reason it could not). */
export async function createShareLink(): Promise<void> {
  const blocked = shareBlocked(store.getState());
  if (blocked) {
    store.setState({ share: { status: 'error', url: null, chars: 0, runs: 0, error: blocked } });
    return;
  }
  store.setState({ share: { status: 'working', url: null, chars: 0, runs: 0, error: null } });
  try {
    const s = store.getState();
    const runs = s.runs.filter((r) => FINISHED.has(r.status) && r.steps.length > 0);
    const summary = s.dataset.summary;
    const dataset = summary
      ? { name: summary.name, rows: summary.rows, fingerprint: summary.fingerprint, url: s.dataset.url }
      : null;
    const baseline = s.view.baselineKey
      ? (runs.find((r) => configKey(r.config, r.budgetSec, r.origin ?? null) === s.view.baselineKey) ?? null)
      : null;
    // The search beside them: its trials with a result (a running one's current trial is left out).
    const search = s.search ? searchRecord(s.search) : null;
    if (search)
      search.trials = search.trials.filter((t) => t.objective !== null || t.steps > 0 || t.error !== undefined);
    const payload = makePayload(
      runs.map(toStored),
      dataset,
      baseline ? configKey(baseline.config, baseline.budgetSec, baseline.origin ?? null) : null,
      Date.now(),
      search && search.trials.length ? search : null,
    );
    const url = `${location.origin}${location.pathname}${SHARE_PREFIX}${await packPayload(payload)}`;
    store.setState({ share: { status: 'ready', url, chars: url.length, runs: runs.length, error: null } });
  } catch (e) {
    store.setState({ share: { status: 'error', url: null, chars: 0, runs: 0, error: errorText(e) } });
  }
}

/** Closes the share panel. */
export function closeShare(): void {
  store.setState({ share: { status: 'idle', url: null, chars: 0, runs: 0, error: null } });
}

/** Where a shared run was trained, in words (its own origin when it was itself opened from a link). */
function originOf(r: RunView): string {
  return (
    r.origin ??
    `${environmentLabel(r.environment)} (shared ${new Date(r.finishedAt ?? r.createdAt).toISOString().slice(0, 10)})`
  );
}

/**
 * Opens the share link in the page's address, if there is one: its runs join the comparison
 * (runs already present, by id, are not added twice) and the fragment is cleared, so a reload
 * does not open it again (the runs persist).
 */
export async function openSharedFromLocation(): Promise<void> {
  const hash = typeof location === 'undefined' ? '' : location.hash;
  if (!hash.startsWith(SHARE_PREFIX)) return;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  try {
    const payload = await unpackPayload(hash.slice(SHARE_PREFIX.length));
    const present = new Set(store.getState().runs.map((r) => r.id));
    let colour = store.getState().runs.reduce((m, r) => Math.max(m, r.colour + 1), 0);
    const incoming = payload.runs.map(fromStored).map((r) => ({ ...r, origin: originOf(r), colour: colour++ }));
    const added = incoming.filter((r) => !present.has(r.id));
    const base = payload.baselineKey
      ? incoming.find(
          (r) =>
            configKey(r.config, r.budgetSec) === payload.baselineKey ||
            configKey(r.config, r.budgetSec, r.origin) === payload.baselineKey,
        )
      : undefined;
    // A shared search is shown read-only, unless one is running here (that one is kept).
    let search: SearchView | null = null;
    if (payload.search) {
      try {
        search = searchFromRecord(payload.search, 'shared');
      } catch (e) {
        store.setState({ notice: `the link's search could not be opened: ${errorText(e)}` });
      }
    }
    store.setState((s) => ({
      ...(search && s.search?.status !== 'running' ? { search } : {}),
      runs: [...s.runs, ...added],
      view: {
        ...s.view,
        baselineKey: base ? configKey(base.config, base.budgetSec, base.origin ?? null) : s.view.baselineKey,
      },
      shared: {
        error: null,
        dataset: payload.dataset,
        runIds: incoming.map((r) => r.id),
        createdAt: payload.createdAt,
        origins: [...new Set(incoming.map((r) => r.origin ?? ''))],
        rerun: null,
      },
    }));
  } catch (e) {
    store.setState({
      shared: {
        error: `This share link could not be opened: ${errorText(e)}.`,
        dataset: null,
        runIds: [],
        createdAt: null,
        origins: [],
        rerun: null,
      },
    });
  }
}

/** Where a link's dataset address leads, seen from a page on `pageOrigin`. */
export type DatasetAddress =
  | { kind: 'same-origin'; href: string }
  /** An https address on another site: loaded only when the user agrees. */
  | { kind: 'other-origin'; href: string; origin: string }
  | { kind: 'refused'; why: string };

/**
 * Resolves a link's dataset address against the page's origin (`new URL(url, pageOrigin)`, as
 * the browser would fetch it) and compares origins: what stays on the page's origin may be
 * loaded, an absolute https address elsewhere only with the user's consent, anything else not at
 * all. A URL parser reads `/\\evil.example` or `/<tab>/evil.example` as another host, so the
 * decision is taken on the resolved origin, never on the text (isSafeUrl refuses those too).
 */
export function datasetAddress(url: string, pageOrigin: string): DatasetAddress {
  if (!isSafeUrl(url)) return { kind: 'refused', why: 'it is not an http(s) or relative URL' };
  let resolved: URL;
  try {
    resolved = new URL(url, pageOrigin);
  } catch {
    return { kind: 'refused', why: 'it is not a valid URL' };
  }
  if (resolved.origin === new URL(pageOrigin).origin) return { kind: 'same-origin', href: resolved.href };
  // Only an address written out in full may leave the site: a relative one that resolves elsewhere is a trick.
  if (resolved.protocol === 'https:' && /^https:\/\//i.test(url))
    return { kind: 'other-origin', href: resolved.href, origin: resolved.origin };
  return {
    kind: 'refused',
    why:
      `it leads to ${resolved.origin}, another site, ` +
      `over ${resolved.protocol === 'https:' ? 'a relative address' : 'plain http'}`,
  };
}

/**
 * Trains the shared configurations here (every seed), on the shared dataset: fetched from its
 * address first when that is not the dataset in use. The address must resolve to this page's
 * origin, or be an https address on another site that the user agrees to load from
 * (`confirmLoad`, the browser's confirm dialog by default). The dataset must be the same file
 * (same sha256); otherwise, or when it was a local file, the banner says what to load.
 */
export async function runSharedHere(
  confirmLoad: (question: string) => boolean = (q) => globalThis.confirm(q),
): Promise<void> {
  const shared = store.getState().shared;
  if (!shared || shared.error) return;
  const setRerun = (rerun: string) => store.setState((s) => ({ shared: s.shared ? { ...s.shared, rerun } : null }));
  const want = shared.dataset;
  if (want && store.getState().dataset.summary?.fingerprint !== want.fingerprint) {
    const loadIt =
      `Load ${want.name} (the same file: sha256 ${want.fingerprint.slice(0, 12)}…) to run these ` +
      `configurations here.`;
    if (!want.url) {
      setRerun(loadIt);
      return;
    }
    const where = datasetAddress(want.url, location.origin);
    if (where.kind === 'refused') {
      setRerun(`The link's dataset address was not followed (${where.why}). ${loadIt}`);
      return;
    }
    if (
      where.kind === 'other-origin' &&
      !confirmLoad(
        `Load ${want.name} from ${where.href}? It is on another site (${where.origin}), not this workbench's.`,
      )
    ) {
      setRerun(`Not loaded from ${where.origin}. ${loadIt}`);
      return;
    }
    setRerun(`Loading ${want.name}…`);
    await loadUrl(where.href);
    const now = store.getState().dataset;
    if (now.summary?.fingerprint !== want.fingerprint) {
      setRerun(
        now.error ?? `${where.href} is not the file the runs trained on (its sha256 differs); nothing was queued.`,
      );
      return;
    }
  }
  const runs = store.getState().runs.filter((r) => shared.runIds.includes(r.id));
  const first = runs[0];
  const summary = store.getState().dataset.summary;
  if (!first || !summary) return;
  // The label and features the shared runs trained with (they name columns of this file).
  const { label, features } = first.config.data;
  const columns = new Set(summary.columns.map((c) => c.name));
  const missing = [label, ...features].filter((c) => !columns.has(c));
  if (missing.length) {
    setRerun(`${summary.name} has no column ${missing.map((m) => `"${m}"`).join(', ')}; nothing was queued.`);
    return;
  }
  store.setState((s) => ({
    dataset: { ...s.dataset, label, features: [...features], task: first.config.data.task ?? null },
  }));
  const same = runs.filter(
    (r) => r.config.data.label === label && r.config.data.features.join('\u0001') === features.join('\u0001'),
  );
  try {
    // Each shared run's own config, on this file (the same bytes): engine, precision and split included.
    const data = (r: RunView) => ({
      ...r.config.data,
      fingerprint: summary.fingerprint,
      name: summary.name,
      rows: summary.rows,
    });
    const ids = app().queue.enqueue(same.map((r) => ({ config: rerunConfig(r.config, r.budgetSec, data(r)) })));
    const streamed = same.filter((r) => r.config.data.stream).length;
    const who = streamed === ids.length ? (streamed === 1 ? 'It' : 'They') : `${streamed} of them`;
    setRerun(
      `Queued ${ids.length} run${ids.length === 1 ? '' : 's'} with the shared configurations on this machine.` +
        (streamed
          ? ` ${who} trained streaming there and ${who === 'It' ? 'trains' : 'train'} on the file loaded whole ` +
            'here (rows split by a seeded shuffle, not by position).'
          : ''),
    );
  } catch (e) {
    setRerun(`Could not queue the shared configurations: ${errorText(e)}`);
  }
}

/** Hides the banner of the opened link (its runs stay). */
export function dismissShared(): void {
  store.setState({ shared: null });
}
