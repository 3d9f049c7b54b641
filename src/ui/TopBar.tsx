import type { Environment } from '../core/train/record';
import { useWorkbench } from './hooks';
import { ShareButton } from './share/ShareButton';

/** What each float16 path means, for the badge's tooltip (fp16-mixed runs on the wgsl engine). */
const F16_PATHS: Record<Environment['f16Path'], string> = {
  native:
    'f16 native: WGSL `enable f16;` on an adapter with the shader-f16 feature; fp16-mixed runs keep ' +
    'activations and weight copies as array<f16>.',
  packed:
    'f16 packed: two float16 in one u32 through pack2x16float / unpack2x16float; works on any WebGPU adapter ' +
    '(e.g. NVIDIA through Dawn, or SwiftShader), no shader-f16 needed.',
  none: 'f16 none: no WebGPU for the wgsl engine here, so its runs (fp32 and fp16-mixed) are refused on this machine.',
};

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
      {env && (
        <span className="badge" data-testid="f16-badge" title={F16_PATHS[env.f16Path] ?? undefined}>
          f16: {env.f16Path}
        </span>
      )}
      <span className="topbar-end">
        <ShareButton />
      </span>
    </header>
  );
}
