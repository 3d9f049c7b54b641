import { dedupRows, DEFAULT_FPR } from '../../core/data/quality';
import { nameListFlag, UsageError, type ParsedArgs } from '../args';
import { loadTableArg } from './inspect';

const USAGE = 'npm run cli -- dedup FILE [--bloom [--fpr P]] [--columns a,b] [--where F] [--json]';

/**
 * Counts repeated rows (whole rows, or the given columns): exact with the hash index, or streaming with a Bloom filter.
 */
export async function dedup(args: ParsedArgs): Promise<{ json: unknown; text: string }> {
  const { file, table, filtered } = await loadTableArg(args, USAGE);
  const bloom = args.flags.has('bloom');
  const fprFlag = args.flags.get('fpr');
  if (fprFlag !== undefined && !bloom) throw new UsageError(`--fpr applies to --bloom only: ${USAGE}`);
  const fpr = fprFlag === undefined ? DEFAULT_FPR : Number(fprFlag);
  if (bloom && !(fpr > 0 && fpr < 1))
    throw new UsageError(`--fpr must be a number between 0 and 1 (got ${String(fprFlag)})`);
  const columns = nameListFlag(args, 'columns');
  const t0 = performance.now();
  const { report } = dedupRows(table, bloom ? 'bloom' : 'exact', { columns, fpr });
  const ms = performance.now() - t0;
  const json = {
    file,
    rows: report.rows,
    unique: report.unique,
    duplicateGroups: report.duplicateGroups,
    dropped: report.dropped,
    method: report.method,
    ...(filtered ? { where: filtered.where, ...(filtered.notes.length ? { filterNotes: filtered.notes } : {}) } : {}),
    ...(bloom ? { fpr, expectedFalseDrops: report.expectedFalseDrops } : {}),
  };
  const text = [
    `${file}: ${report.rows} rows, ${report.unique} unique, ${report.dropped} dropped as repeats ` +
      `(${report.method}${bloom ? `, fpr ${fpr}, about ${report.expectedFalseDrops!.toFixed(1)} dropped wrongly` : `, ${report.duplicateGroups} ${report.duplicateGroups === 1 ? 'group' : 'groups'} of repeats`}) in ${ms.toFixed(0)} ms`,
    ...(filtered ? [`  over the ${filtered.text}`] : []),
  ].join('\n');
  return { json, text };
}
