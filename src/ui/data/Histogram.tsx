import type { Histogram as HistogramData } from '../../core/data/stats';

/** A tiny inline bar chart of a column's distribution (SVG, no chart library: the schema has many). */
export function Histogram({ data, width = 80, height = 18 }: { data: HistogramData; width?: number; height?: number }) {
  const counts = data.kind === 'top' ? [...data.counts, ...(data.other > 0 ? [data.other] : [])] : data.counts;
  if (counts.length === 0) return null;
  const max = Math.max(...counts, 1);
  const w = width / counts.length;
  const title =
    data.kind === 'bins'
      ? `${counts.length} bins from ${data.min} to ${data.max}`
      : data.values
          .map((v, i) => `${v || '(empty)'}: ${data.counts[i]}`)
          .concat(data.other > 0 ? [`other: ${data.other}`] : [])
          .join('\n');
  return (
    <svg width={width} height={height} role="img" aria-label={title} className="histogram">
      <title>{title}</title>
      {counts.map((c, i) => {
        const h = Math.max(c > 0 ? 1 : 0, (c / max) * height);
        return (
          <rect
            key={i}
            x={i * w + 0.5}
            y={height - h}
            width={Math.max(1, w - 1)}
            height={h}
            fill={data.kind === 'top' && i === data.counts.length ? '#cbd5e1' : '#60a5fa'}
          />
        );
      })}
    </svg>
  );
}
