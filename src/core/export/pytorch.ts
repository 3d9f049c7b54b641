/**
 * The PyTorch + DDP bundle of a run: model.py (the spec as an nn.Module), train_ddp.py (the
 * run's optimizer, schedule, clipping and Lookahead; DistributedDataParallel under torchrun),
 * bundle.json (spec, preprocessing, config), initial_weights.npz and trained_weights.npz (the
 * workbench's tensors by name, in its layouts), data.npz (the encoded split and batch order,
 * when the run's data is at hand) and a README with the torchrun lines.
 */
import { counted } from '../errors';
import type { RunConfig } from '../train/record';
import type { TrainedModel } from '../train/trained';
import type { ExportedFile } from './files';
import { npz, type NpyArray } from './npz';
import type { RunData } from './run-data';
import { PYTHON_SOURCES } from './pytorch/sources';

const text = (s: string) => new TextEncoder().encode(s);

/** The training loss of each output kind (core/train/loss.ts). */
const LOSS_OF = { 'softmax-logits': 'softmax-ce', 'sigmoid-logit': 'binary-ce', 'standardised-target': 'mse' } as const;

function weightsNpz(trained: TrainedModel, values: Float32Array[]): Uint8Array {
  const arrays: Record<string, { values: NpyArray; shape: number[] }> = {};
  trained.tensors.forEach((t, i) => (arrays[t.name] = { values: values[i], shape: t.shape }));
  return npz(arrays);
}

export function dataNpz(d: RunData): Uint8Array {
  return npz({
    x: { values: d.x, shape: [d.rows, d.dim] },
    y: { values: d.y, shape: [d.rows] },
    train: { values: d.train, shape: [d.train.length] },
    val: { values: d.val, shape: [d.val.length] },
    test: { values: d.test, shape: [d.test.length] },
    order: { values: d.order, shape: [d.epochs, d.train.length] },
  });
}

function readme(id: string, config: RunConfig, trained: TrainedModel, withData: boolean): string {
  const o = config.optimizer;
  return `# Run ${id} as a PyTorch job

Exported by Trainbench: ${trained.model.type} on ${config.data.name} (label "${config.data.label}",
${trained.preprocessing.dim} encoded features), ${o.name} at learning rate ${o.learningRate}, batch
${config.batchSize}, ${counted(config.epochs, 'epoch')}, seed ${config.seed}.

| file | what |
|---|---|
| model.py | the model as an nn.Module, built from bundle.json; weight layout conversions |
| train_ddp.py | the run's training: same loss, optimizer, schedule, clipping, Lookahead; DDP under torchrun |
| bundle.json | the model spec, the run's config, the preprocessing, the tensor names |
| initial_weights.npz | the weights the run started from (the workbench's layouts, by tensor name) |
| trained_weights.npz | the weights the run ended with |
| data.npz | ${withData ? 'the encoded rows (x, y), the split (train, val, test) and the batch order of each epoch (order)' : 'not included: the run was exported without its data (see below)'} |
| preprocessing.json | how a raw row becomes an input row |

Needs Python 3, PyTorch (1.13 or later) and numpy.

\`\`\`sh
python3 train_ddp.py --workbench-order              # one process, the workbench's exact batch order
torchrun --standalone --nproc_per_node=4 train_ddp.py                # 4 processes (GPUs) on one machine
torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 \\
  --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 train_ddp.py        # machine 0 of 2 (node_rank=1 on the other)
\`\`\`

On CUDA the processes use NCCL, else gloo (\`--backend\` overrides). Each of W processes takes
batch / W rows of every global batch (a DistributedSampler seeded with the run's seed). Rank 0
writes \`run-pytorch.json\` (\`--out\`), a run record in the workbench's format with the trained
weights: open it in the workbench (Runs, "Open a run record") to compare it with the browser runs.

PyTorch 1.13 on Python 3.11 (Debian 12's python3-torch): its launcher fails in \`to_map\` unless
given \`--redirects 2 --tee 1\` (\`torchrun --redirects 2 --tee 1 --standalone --nproc_per_node=2 train_ddp.py\`).
${withData ? '' : "\nWithout data.npz: export again with the run's dataset (`export RUN --to pytorch --data FILE`), or write\ndata.npz yourself (x float32 [rows, dim] encoded as preprocessing.json says, y, train/val/test indices,\norder [epochs, train rows]).\n"}
Scoring: \`WorkbenchModel(spec, dim, outputs)\` + \`load_workbench_weights(model, np.load("trained_weights.npz"), names)\`
gives the workbench's outputs (logits or the standardised target) for encoded rows.
`;
}

/** The bundle's files; `initial` are the run's initial weights, `data` its data (or null: no data.npz). */
export function pytorchFiles(
  id: string,
  config: RunConfig,
  trained: TrainedModel,
  initial: Float32Array[],
  data: RunData | null,
  preprocessingJson: string,
  prefix = '',
): ExportedFile[] {
  const loss = LOSS_OF[trained.preprocessing.output];
  const bundle = {
    run: id,
    config,
    model: trained.model,
    preprocessing: trained.preprocessing,
    outputs: trained.outputs,
    loss,
    tensors: trained.tensors.map((t) => ({ name: t.name, shape: t.shape })),
  };
  const files: ExportedFile[] = [
    { name: 'model.py', bytes: text(PYTHON_SOURCES.model) },
    { name: 'train_ddp.py', bytes: text(PYTHON_SOURCES.train_ddp) },
    { name: 'bundle.json', bytes: text(`${JSON.stringify(bundle, null, 2)}\n`) },
    { name: 'initial_weights.npz', bytes: weightsNpz(trained, initial) },
    {
      name: 'trained_weights.npz',
      bytes: weightsNpz(
        trained,
        trained.tensors.map((t) => t.values),
      ),
    },
    ...(data ? [{ name: 'data.npz', bytes: dataNpz(data) }] : []),
    { name: 'preprocessing.json', bytes: text(preprocessingJson) },
    { name: 'README.md', bytes: text(readme(id, config, trained, data !== null)) },
  ];
  return files.map((f) => ({ ...f, name: prefix + f.name }));
}
