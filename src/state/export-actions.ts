/**
 * Exporting a finished run's model from the workbench: the trainer worker (which has tfjs)
 * makes the files from the run's kept weights (trained-models.ts), the page downloads them. The
 * files are the CLI's `export` files (core/export/files.ts), named after the run.
 */
import type { ExportedFile, ExportFormat } from '../core/export/files';
import type { RunData } from '../core/export/run-data';
import { RECORD_VERSION } from '../core/train/trained';
import { store } from './store';
import { trainedOf } from './trained-models';
import { errorText, getWorkers } from './workers';

/** A file-name prefix from a run title: letters, digits and dashes. */
export function filePrefix(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug ? `${slug}-` : '';
}

/**
 * The export files of run `id`, or null (with a notice saying why) when the run has no kept
 * weights or the export fails.
 */
export async function exportRunModel(
  id: string,
  to: ExportFormat,
  /** PyTorch, when the run's dataset is not the one loaded: asked whether to export without data.npz. */
  withoutData: (message: string) => boolean = () => false,
): Promise<ExportedFile[] | null> {
  const run = store.getState().runs.find((r) => r.id === id);
  if (!run) return null;
  const trained = await trainedOf(id).catch(() => null);
  if (!trained) {
    store.setState({
      notice:
        `run ${run.title} has no trained weights to export: ` +
        (run.status === 'failed'
          ? 'it failed before the end'
          : run.origin
            ? 'runs opened from a share link carry results, not weights (a run record file with weights does)'
            : 'it finished before this workbench kept weights (train it again)'),
    });
    return null;
  }
  try {
    let data: RunData | null = null;
    if (to === 'pytorch') {
      const loaded = store.getState().dataset.summary;
      if (loaded && loaded.fingerprint === run.config.data.fingerprint) {
        data = await getWorkers()
          .data.get()
          .call('runData', { datasetId: loaded.id, config: run.config, inputs: trained.preprocessing.inputs });
      } else if (
        !withoutData(
          `The PyTorch bundle's data.npz needs this run's dataset, ${run.config.data.name}, which is not the one ` +
            'loaded now. Export without data.npz? (Or load that file and export again.)',
        )
      )
        return null;
    }
    const { files } = await getWorkers()
      .trainer.get()
      .call('exportModel', {
        record: { version: RECORD_VERSION, id, config: run.config, trained },
        to,
        prefix: filePrefix(run.title),
        data,
      });
    return files;
  } catch (e) {
    store.setState({ notice: `exporting run ${run.title} as ${to}: ${errorText(e)}` });
    return null;
  }
}

/**
 * Quantizes run `id`'s model and evaluates it on its rows (the loaded dataset must be the run's);
 * the report lands on the run (`quantized`), or a notice says why not.
 */
export async function quantizeRun(id: string): Promise<void> {
  const run = store.getState().runs.find((r) => r.id === id);
  if (!run) return;
  const trained = await trainedOf(id).catch(() => null);
  const loaded = store.getState().dataset.summary;
  if (!trained) {
    store.setState({ notice: `run ${run.title} has no trained weights to quantize` });
    return;
  }
  if (!loaded || loaded.fingerprint !== run.config.data.fingerprint) {
    store.setState({
      notice: `quantizing run ${run.title} evaluates on its rows: load its dataset, ${run.config.data.name}, first`,
    });
    return;
  }
  try {
    const data = await getWorkers()
      .data.get()
      .call('runData', { datasetId: loaded.id, config: run.config, inputs: trained.preprocessing.inputs });
    const report = await getWorkers()
      .trainer.get()
      .call('quantizeModel', { record: { version: RECORD_VERSION, id, config: run.config, trained }, data });
    store.setState((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, quantized: report } : r)) }));
  } catch (e) {
    store.setState({ notice: `quantizing run ${run.title}: ${errorText(e)}` });
  }
}
