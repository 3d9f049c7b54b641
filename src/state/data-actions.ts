/**
 * What the user can do with data: load the sample or a file, pick the label and features.
 * Components call these; nothing here renders.
 */
import { transfer } from '../workers/rpc';
import { store } from './store';
import { errorText, getWorkers, onWorkerDeath } from './workers';

/** The bundled sample offered on first load. */
export const SAMPLE = { file: 'penguins.arrow', label: 'Species' };

/** The source of the dataset in use, kept so it can be reloaded if the data worker dies. */
let currentSource: { name: string; blob: Blob } | null = null;

onWorkerDeath((message) => {
  if (!message.includes('data')) return;
  store.setState({ notice: `${message}. ${currentSource ? `Reloading ${currentSource.name}.` : ''}` });
  if (currentSource) void loadBlob(currentSource.name, currentSource.blob);
});
/** Loads the bundled sample dataset. */
export async function loadSample(): Promise<void> {
  const url = `${import.meta.env.BASE_URL}datasets/${SAMPLE.file}`;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await loadBlob(SAMPLE.file, await res.blob(), SAMPLE.label);
  } catch (e) {
    store.setState((s) => ({ dataset: { ...s.dataset, status: s.dataset.summary ? 'ready' : 'idle', error: `${SAMPLE.file}: could not fetch the sample (${errorText(e)})` } }));
  }
}

/** Loads the first of the files a user dropped or picked. */
export async function loadFiles(files: FileList | File[]): Promise<void> {
  const file = files[0];
  if (file) await loadBlob(file.name, file);
}

/** Decodes a file in the data worker; on failure the dataset in use stays and the error is shown. */
export async function loadBlob(name: string, blob: Blob, preferredLabel?: string): Promise<void> {
  store.setState((s) => ({ dataset: { ...s.dataset, status: 'loading', loadingName: name, error: null } }));
  try {
    const bytes = await blob.arrayBuffer();
    const summary = await getWorkers().data.get().call('load', transfer({ name, bytes }, [bytes]));
    const previous = store.getState().dataset.summary;
    if (previous) void getWorkers().data.get().call('forget', { datasetId: previous.id }).catch(() => undefined);
    currentSource = { name, blob };
    const label = preferredLabel && summary.columns.some((c) => c.name === preferredLabel) ? preferredLabel : summary.defaultLabel;
    const features = label === summary.defaultLabel ? summary.defaultFeatures : summary.columns.filter((c) => c.name !== label && c.nulls <= summary.rows / 2).map((c) => c.name);
    store.setState({ dataset: { status: 'ready', summary, loadingName: null, error: null, label, features } });
  } catch (e) {
    store.setState((s) => ({ dataset: { ...s.dataset, status: s.dataset.summary ? 'ready' : 'idle', loadingName: null, error: errorText(e) } }));
  }
}

/** Chooses the label column; every other usable column becomes a feature. */
export function setLabel(label: string): void {
  const { summary } = store.getState().dataset;
  if (!summary) return;
  const features = summary.columns.filter((c) => c.name !== label && c.nulls <= summary.rows / 2).map((c) => c.name);
  store.setState((s) => ({ dataset: { ...s.dataset, label, features } }));
}

/** Toggles one feature column. */
export function toggleFeature(name: string): void {
  store.setState((s) => {
    const has = s.dataset.features.includes(name);
    return { dataset: { ...s.dataset, features: has ? s.dataset.features.filter((f) => f !== name) : [...s.dataset.features, name] } };
  });
}

