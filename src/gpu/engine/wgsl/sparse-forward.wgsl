// Forward through a pruned dense layer as a sparse x dense product: out = act(in * W + b), W
// held as compressed columns (CSC): output column n's kept weights are entries[ptr[n] ..
// ptr[n + 1]), each (input column k, the weight's index in the flat buffer `w`), so the values
// are the optimizer's own (never copied) and only the structure changes with the masks.
// One thread per four rows and four output columns; bias and activation in forward's epilogue.
// in: acts[aOff + row * aStride + k]; out: acts[cOff + row * cStride + col].

@group(0) @binding(2) var<storage, read_write> acts: array<ELEM>;
@group(0) @binding(3) var<storage, read> w: array<ELEM>;
@group(0) @binding(4) var<storage, read> ptr: array<u32>;
@group(0) @binding(5) var<storage, read> entries: array<vec2<u32>>;

fn ld_in(i: u32) -> f32 { return ld_acts(i); }
