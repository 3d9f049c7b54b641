// Backward through a pruned dense layer to its input: dIn = (dOut * W^T) . act'(in), with W held
// as compressed rows (CSR): input column k's kept weights are entries[ptr[k] .. ptr[k + 1]),
// each (output column j, the weight's index in the flat buffer `w`). One thread per four rows
// and four input columns; the derivative in backward-dx's epilogue.
// dOut: deltas[aOff + row * aStride + j]; in: acts[hOff + row * hStride + col];
// dIn: deltas[cOff + row * cStride + col].

@group(0) @binding(2) var<storage, read_write> deltas: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> acts: array<ELEM>;
@group(0) @binding(5) var<storage, read> ptr: array<u32>;
@group(0) @binding(6) var<storage, read> entries: array<vec2<u32>>;

fn ld_in(i: u32) -> f32 { return ld_deltas(i); }
