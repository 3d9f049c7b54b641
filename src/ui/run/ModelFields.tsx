import type { ModelSpec, ModelType } from '../../core/train/model';
import { defaultModelSpec } from '../../core/train/models/defaults';
import { MODEL_TYPES } from '../../core/train/models/types';
import { updateSettings } from '../../state/run-actions';

/** Defaults per model type (the tfjs-free module: the model builders would pull tfjs onto the main thread). */
const DEFAULTS = Object.fromEntries(MODEL_TYPES.map((t) => [t, defaultModelSpec(t)])) as Record<ModelType, ModelSpec>;

const ints = (text: string) =>
  text
    .split(/[\s,x]+/)
    .filter(Boolean)
    .map(Number);

/**
 * Model type, then the fields of that type: widths, activation, and for image models the input shape and the
 * convolutions.
 */
export function ModelFields({ model }: { model: ModelSpec }) {
  const set = (patch: Partial<ModelSpec>) => updateSettings({ model: { ...model, ...patch } as ModelSpec });
  return (
    <fieldset className="group">
      <legend>Model</legend>
      <div className="row">
        <label>
          Model type
          <select
            data-testid="model-select"
            value={model.type}
            onChange={(e) =>
              updateSettings({
                model: { ...DEFAULTS[e.target.value as ModelType], activation: model.activation } as ModelSpec,
              })
            }
          >
            <option value="mlp">MLP</option>
            <option value="cnn">CNN</option>
            <option value="dscnn">Depthwise-separable CNN</option>
          </select>
        </label>
        <label>
          Activation
          <select
            value={model.activation}
            onChange={(e) => set({ activation: e.target.value as ModelSpec['activation'] })}
          >
            <option value="relu">relu</option>
            <option value="tanh">tanh</option>
            <option value="sigmoid">sigmoid</option>
          </select>
        </label>
      </div>
      {model.type !== 'mlp' && (
        <>
          <label>
            Input shape
            <input
              key={`shape-${model.type}`}
              defaultValue={model.inputShape?.join(', ') ?? ''}
              placeholder="inferred: square, 1 or 3 channels"
              aria-describedby="shape-help"
              onChange={(e) => {
                const v = ints(e.target.value);
                set({
                  inputShape:
                    v.length === 0 ? undefined : ((v.length === 3 ? v : [NaN, NaN, NaN]) as [number, number, number]),
                });
              }}
            />
            <small id="shape-help">height, width, channels (e.g. 28, 28, 1); rows are read channels last</small>
          </label>
          {model.type === 'cnn' ? (
            <div className="row">
              <label>
                Conv filters
                <input
                  key="filters"
                  defaultValue={model.filters.join(', ')}
                  onChange={(e) => set({ filters: ints(e.target.value) })}
                  aria-describedby="filters-help"
                />
                <small id="filters-help">per block: 3x3 conv, then 2x2 max-pool</small>
              </label>
              <label>
                Groups
                <input
                  key="groups"
                  data-testid="groups-input"
                  defaultValue={model.groups?.join(', ') ?? ''}
                  placeholder="1 per block"
                  onChange={(e) => {
                    const v = ints(e.target.value);
                    set({ groups: v.length ? v : undefined });
                  }}
                  aria-describedby="groups-help"
                />
                <small id="groups-help">per block (ResNeXt): each must divide the block&apos;s channels</small>
              </label>
            </div>
          ) : (
            <div className="row">
              <label>
                Stem channels
                <input
                  key="stem"
                  type="number"
                  defaultValue={model.stem}
                  onChange={(e) => set({ stem: Number(e.target.value) })}
                />
              </label>
              <label>
                Blocks
                <input
                  key="blocks"
                  defaultValue={model.blocks.map((b) => `${b.filters}/${b.stride}`).join(', ')}
                  aria-describedby="blocks-help"
                  onChange={(e) =>
                    set({
                      blocks: e.target.value
                        .split(/[\s,]+/)
                        .filter(Boolean)
                        .map((p) => {
                          const [f, s] = p.split('/').map(Number);
                          return { filters: f, stride: (s ?? 1) as 1 | 2 };
                        }),
                    })
                  }
                />
                <small id="blocks-help">filters/stride, e.g. 16/2, 32/2</small>
              </label>
            </div>
          )}
        </>
      )}
      <label>
        Hidden layers
        <input
          key={`hidden-${model.type}`}
          defaultValue={model.hidden.join(', ')}
          onChange={(e) => set({ hidden: ints(e.target.value) })}
          aria-describedby="hidden-help"
        />
        <small id="hidden-help">dense widths, e.g. 32, 32 (empty: none)</small>
      </label>
    </fieldset>
  );
}
