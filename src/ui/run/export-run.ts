/** Downloading a finished run's model (the QueuePanel's run list and the results table's rows). */
import type { ExportFormat } from '../../core/export/files';
import { exportRunModel } from '../../state/export-actions';
import { download } from '../download';

/** Downloads run `id`'s model files as `to` (a notice says why when it has none). */
export async function exportAs(id: string, to: ExportFormat): Promise<void> {
  for (const f of (await exportRunModel(id, to, (message) => window.confirm(message))) ?? [])
    download(
      f.name,
      f.bytes as Uint8Array<ArrayBuffer>,
      f.name.endsWith('.json')
        ? 'application/json'
        : f.name.endsWith('.zip')
          ? 'application/zip'
          : 'application/octet-stream',
    );
}
