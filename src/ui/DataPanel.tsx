import { useId, useRef, useState, type DragEvent } from 'react';
import {
  chooseHdf5Group,
  loadFiles,
  loadSample,
  loadUrl,
  setLabel,
  setStreamOnLoad,
  setTask,
  setWhere,
  toggleFeature,
} from '../state/data-actions';
import { SAMPLES } from '../core/train/samples';
import { Histogram } from './data/Histogram';
import { LoadProgress } from './data/LoadProgress';
import { StreamOffer } from './data/StreamOffer';
import { QualityPanel } from './data/QualityPanel';
import { NeighbourInspector } from './data/NeighbourInspector';
import { useWorkbench } from './hooks';
import { count, statValue } from './format';
import { TaskPicker } from './data/TaskPicker';
import { notDefaultFeature } from '../core/data/encode';
import type { ColumnStats } from '../core/data/stats';

/** Drop zone and file picker, the dataset summary, and the label and feature choice. */
export function DataPanel() {
  const dataset = useWorkbench((s) => s.dataset);
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [url, setUrl] = useState('');
  const { summary } = dataset;

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) void loadFiles(e.dataTransfer.files);
  };

  return (
    <section className="panel data-panel" aria-labelledby="data-heading">
      <h2 id="data-heading">Data</h2>
      <div
        className={`dropzone ${over ? 'over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>Drop Parquet, Arrow, CSV or JSON files here (a run record opens as a run)</p>
        <button type="button" onClick={() => input.current?.click()}>
          Choose a file…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          data-testid="file-input"
          aria-label="Choose a dataset file"
          // One tab stop for the picker: the button above opens this input.
          tabIndex={-1}
          className="visually-hidden"
          accept=".parquet,.arrow,.feather,.arrows,.ipc,.csv,.tsv,.tab,.txt,.data,.dat,.json,.ndjson,.jsonl,.tfrecord,.tfrecords,.tfrec,.gz,.h5,.hdf5,.he5,.hdf"
          onChange={(e) => {
            if (e.target.files?.length) void loadFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      <p className="samples">
        Samples:{' '}
        {SAMPLES.map((sample) => (
          <button
            key={sample.file}
            type="button"
            className="link"
            data-testid={`sample-${sample.file}`}
            onClick={() => void loadSample(sample)}
          >
            {sample.title}
          </button>
        ))}
      </p>
      <label className="stream-toggle">
        <input
          type="checkbox"
          data-testid="stream-toggle"
          checked={dataset.streamOnLoad}
          onChange={(e) => setStreamOnLoad(e.target.checked)}
        />
        Train while loading (streaming: starts on the first Arrow batch or Parquet row group, with the run settings)
      </label>
      <form
        className="url-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void loadUrl(url.trim());
        }}
      >
        <label htmlFor="dataset-url">or a URL</label>
        <input
          id="dataset-url"
          data-testid="url-input"
          type="url"
          placeholder="https://…/data.parquet"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" disabled={!url.trim()}>
          Load
        </button>
      </form>
      <LoadProgress />
      {dataset.error && (
        <p className="error" role="alert" data-testid="data-error">
          {dataset.error}
        </p>
      )}
      <StreamOffer />
      {summary && (
        <div data-testid="dataset-summary" data-rows={summary.rows} data-name={summary.name}>
          <p>
            <strong>{summary.name}</strong> · {summary.format} · {count(summary.rows)} rows · {summary.columns.length}{' '}
            columns
            <span className="muted">
              {' '}
              · {summary.cache?.hit ? 'from the cache' : 'decoded'} in {summary.decodeMs.toFixed(0)} ms
              {summary.decodeThreads && summary.decodeThreads > 1 ? ` on ${summary.decodeThreads} cores` : ''}
            </span>
            {dataset.duplicates && (
              <span data-testid="duplicate-count" data-dropped={dataset.duplicates.dropped}>
                {' '}
                · {count(dataset.duplicates.dropped)} repeated rows
                {dataset.duplicates.dropped ? ` in ${count(dataset.duplicates.duplicateGroups ?? 0)} groups` : ''}
              </span>
            )}
          </p>
          {summary.skipped && summary.skipped.length > 0 && (
            <p className="muted small" data-testid="skipped-columns">
              Skipped {summary.skipped.length} column{summary.skipped.length === 1 ? '' : 's'}:{' '}
              {summary.skipped.map((k, i) => (
                <span key={k.name}>
                  {i > 0 ? '; ' : ''}
                  <code>{k.name}</code> ({k.type}): {k.reason}
                </span>
              ))}
            </p>
          )}
          {summary.hdf5 && (
            <p className="small">
              <label>
                HDF5 group{' '}
                <select
                  value={summary.hdf5.group}
                  disabled={summary.hdf5.groups.length < 2 || dataset.status === 'loading'}
                  onChange={(e) => void chooseHdf5Group(e.target.value)}
                  data-testid="hdf5-group"
                >
                  {summary.hdf5.groups.map((g) => (
                    <option key={g} value={g}>
                      {g}
                    </option>
                  ))}
                </select>
              </label>
              <span className="muted">
                {' '}
                · the columns come from this group&apos;s datasets; another group is another dataset
              </span>
            </p>
          )}
          {summary.images && summary.images.length > 0 && (
            <p className="muted small" data-testid="image-datasets">
              {summary.images.map((im, i) => (
                <span key={im.name}>
                  {i > 0 ? '; ' : ''}
                  image <code>{im.name}</code>: {im.shape.join(' x ')} (h x w x c) per row, columns{' '}
                  <code>{im.name}.0</code>...; an image model takes this shape when these are its features
                </span>
              ))}
            </p>
          )}
          <label>
            Label{' '}
            <select value={dataset.label ?? ''} onChange={(e) => setLabel(e.target.value)} data-testid="label-select">
              {summary.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          {summary.defaultLabelReason && dataset.label === summary.defaultLabel && (
            <small className="label-reason" data-testid="label-reason">
              {' '}
              picked by default: {summary.defaultLabelReason}
            </small>
          )}
          <TaskPicker
            stats={summary.columns.find((c) => c.name === dataset.label)}
            task={dataset.task}
            onChange={setTask}
          />
          <Filters />
          <div className="schema-scroll">
            {/* Three columns, the statistics stacked in one: the whole schema fits the data column (at 1280 px too). */}
            <table className="schema" data-testid="schema-table">
              <thead>
                <tr>
                  <th>use</th>
                  <th>column</th>
                  <th title="min – max, mean, distinct values, missing values">statistics</th>
                </tr>
              </thead>
              <tbody>
                {summary.columns.map((c) => (
                  <tr key={c.name}>
                    <td>
                      {c.name === dataset.label ? (
                        'label'
                      ) : (
                        <input
                          type="checkbox"
                          aria-label={`use ${c.name} as a feature`}
                          title={leftOutTitle(c, summary.rows)}
                          checked={dataset.features.includes(c.name)}
                          onChange={() => toggleFeature(c.name)}
                        />
                      )}
                    </td>
                    <td>
                      <span className="col-name">{c.name}</span>
                      {c.bytes ? (
                        <span
                          className="col-type"
                          title="raw bytes (binary, ids, UUIDs) hashed into buckets: not used unless you tick it"
                        >
                          bytes, hashed
                        </span>
                      ) : (
                        <span className="col-type">{c.type}</span>
                      )}
                      <Histogram data={c.histogram} width={64} height={14} />
                    </td>
                    <td className="col-stats">
                      {c.min !== null && c.min !== undefined && (
                        <span title="min – max">
                          {statValue(c.type, c.min)} – {statValue(c.type, c.max)}
                        </span>
                      )}
                      {c.mean !== null && c.mean !== undefined && <span>mean {statValue(c.type, c.mean)}</span>}
                      <span>
                        {count(c.distinct)} distinct · {count(c.nulls)} null{c.nulls === 1 ? '' : 's'}
                      </span>
                      {c.nonFinite > 0 && (
                        <span
                          className="non-finite"
                          data-testid="non-finite"
                          title="NaN or Infinity: left out of min, max and mean; a run that trains on this column is refused until they are removed or marked missing"
                        >
                          {count(c.nonFinite)} NaN/Infinity
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {summary && <QualityPanel />}
      {summary && <NeighbourInspector />}
    </section>
  );
}

/**
 * Filters: a row filter typed in the where language (core/data/filter.ts); the count of rows it
 * keeps follows the typing (the data worker, through the range index when few rows match), and
 * runs queued while it is set train on those rows (their config and share link record it).
 */
function Filters() {
  const where = useWorkbench((s) => s.dataset.where);
  const filter = useWorkbench((s) => s.dataset.filter);
  const total = useWorkbench((s) => s.dataset.summary?.rows ?? 0);
  const id = useId();
  const current = filter.where === where.trim();
  return (
    <div className="filters" data-testid="filters">
      <label htmlFor={id}>Filter rows</label>{' '}
      <input
        id={id}
        type="text"
        data-testid="where-input"
        className="where-input"
        value={where}
        spellCheck={false}
        placeholder="e.g. Island = 'Dream' and &quot;Body Mass (g)&quot; between 3000 and 5000"
        aria-describedby={`${id}-status`}
        aria-invalid={filter.status === 'error' && current}
        onChange={(e) => setWhere(e.target.value)}
      />
      <small
        id={`${id}-status`}
        data-testid="where-status"
        data-rows={current && filter.rows !== null ? filter.rows : ''}
        role={filter.status === 'error' && current ? 'alert' : undefined}
      >
        {!where.trim()
          ? ' every row (and, or, not; = != < <= > >= between in is null; \'text\', "column name")'
          : !current || filter.status === 'counting'
            ? ' counting…'
            : filter.status === 'error'
              ? ` ${filter.error}`
              : ` ${count(filter.rows ?? 0)} of ${count(total)} rows; runs queued now train on them`}
        {current && filter.status === 'done' && filter.notes && filter.notes.length > 0 && (
          <span className="where-notes" data-testid="where-notes">
            {' '}
            ({filter.notes.join('; ')})
          </span>
        )}
      </small>
    </div>
  );
}

/** Why the default rule leaves a column out of the features (a tooltip on its checkbox), if it does. */
function leftOutTitle(c: ColumnStats, rows: number): string | undefined {
  const why = notDefaultFeature(c, rows);
  return why === null ? undefined : `not a feature by default: ${why}`;
}
