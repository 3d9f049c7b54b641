import { useWorkbench } from './hooks';
import { ShareButton } from './share/ShareButton';

/** Title, dataset in use, what runs where (backend, adapter, and why on fallback), and Share. */
export function TopBar() {
  const name = useWorkbench((s) => s.dataset.summary?.name ?? null);
  const env = useWorkbench((s) => s.environment);
  const badge = env
    ? `${env.backend === 'webgpu' ? 'WebGPU' : env.backend}${env.adapter ? ` (${env.adapter.vendor} ${env.adapter.architecture})` : ''}`
    : 'backend: starts with the first run';
  return (
    <header className="topbar">
      <h1>Trainbench</h1>
      <span className="dataset-name">{name ? `dataset: ${name}` : 'no dataset'}</span>
      <span
        className={`badge ${env?.fallbackReason ? 'badge-warn' : ''}`}
        data-testid="backend-badge"
        data-backend={env?.backend ?? ''}
        title={env?.fallbackReason ?? undefined}
      >
        {badge}
        {env?.fallbackReason ? ` · fallback: ${env.fallbackReason}` : ''}
      </span>
      {env && <span className="badge">f16: {env.f16Path}</span>}
      <span className="topbar-end">
        <ShareButton />
      </span>
    </header>
  );
}
