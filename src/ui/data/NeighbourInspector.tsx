import { useEffect, useRef, useState } from 'react';
import { inspectNeighbours } from '../../state/data-actions';
import { useWorkbench } from '../hooks';
import { Misclassified } from './Misclassified';

/** One image row drawn on a small canvas (grey levels 0..1). */
function Thumb({ pixels, width, height }: { pixels: Float32Array; width: number; height: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const v = Math.round(255 * (1 - pixels[i]));
      img.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, width, height]);
  return <canvas ref={ref} width={width} height={height} className="thumb" />;
}

function show(v: string | number | null): string {
  return v === null ? '–' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : v;
}

/** Pick a row and see its nearest rows (KD-tree on the normalised features) with their labels. */
export function NeighbourInspector() {
  const n = useWorkbench((s) => s.dataset.neighbours);
  const ready = useWorkbench((s) => s.dataset.status === 'ready' && s.dataset.label !== null);
  const [row, setRow] = useState('0');
  const [k, setK] = useState('5');
  const shown = n.row !== null ? String(n.row) : row;
  const view = n.view;
  return (
    <section className="neighbours" data-testid="neighbour-inspector" aria-labelledby="neighbours-heading">
      <h3 id="neighbours-heading">Neighbours</h3>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void inspectNeighbours(Number(row), Number(k));
        }}
      >
        <label>
          Row{' '}
          <input
            data-testid="neighbour-row"
            type="number"
            min={0}
            value={row}
            onChange={(e) => setRow(e.target.value)}
          />
        </label>
        <label>
          k <input type="number" min={1} max={50} value={k} onChange={(e) => setK(e.target.value)} />
        </label>
        <button type="submit" disabled={!ready || n.status === 'running'}>
          Show
        </button>
      </form>
      <Misclassified />
      {n.error && (
        <p className="error" role="alert">
          {n.error}
        </p>
      )}
      {view && (
        <div data-testid="neighbour-results" data-row={view.row} data-count={view.neighbours.length}>
          <p>
            row <strong>{shown}</strong> · label <strong>{show(view.label)}</strong>
          </p>
          {view.image && (
            <div className="thumbs">
              {view.image.pixels.map((p, i) => (
                <figure key={i}>
                  <Thumb pixels={p} width={view.image!.width} height={view.image!.height} />
                  <figcaption>{i === 0 ? 'query' : show(view.neighbours[i - 1].label)}</figcaption>
                </figure>
              ))}
            </div>
          )}
          <table className="schema">
            <thead>
              <tr>
                <th>row</th>
                <th>distance</th>
                <th>label</th>
              </tr>
            </thead>
            <tbody>
              {view.neighbours.map((nb) => (
                <tr key={nb.row} className={nb.label !== view.label ? 'other-label' : undefined}>
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => void inspectNeighbours(nb.row, view.neighbours.length)}
                    >
                      {nb.row}
                    </button>
                  </td>
                  <td>{nb.distance.toPrecision(3)}</td>
                  <td>{show(nb.label)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
