/**
 * Building a KD-tree in place: rows of `coords` (n x d, row-major) and their `ids` are
 * reordered so that every node's points are one contiguous run, and each node's tight
 * bounding box is written to `boxes` ([lo0, hi0, lo1, hi1, ...] per node, heap order).
 *
 * The tree is implicit: node 0 holds rows [0, n); a node of more than `leafSize` rows splits
 * at mid = lo + (count >> 1) into children 2i+1 = [lo, mid) and 2i+2 = [mid, hi), after a
 * quickselect (Floyd-Rivest, as in kdbush) on the dimension of largest spread.
 */

/** Depth of the deepest leaf and length of the heap-ordered node array for n rows. */
export function treeShape(n: number, leafSize: number): { depth: number; nodes: number } {
  let depth = 0;
  while (Math.ceil(n / 2 ** depth) > leafSize) depth++;
  return { depth, nodes: 2 ** (depth + 1) - 1 };
}

/** Reorders `coords`/`ids` into KD order and fills `boxes` and the split `axes` of inner nodes. */
export function buildTree(
  coords: Float32Array,
  ids: Int32Array,
  d: number,
  leafSize: number,
  boxes: Float32Array,
  axes: Uint16Array,
): void {
  const n = ids.length;
  if (d === 2) build2(coords, ids, leafSize, boxes, axes, 0, n);
  else buildNode(coords, ids, d, leafSize, boxes, axes, 0, 0, n);
}

function buildNode(
  c: Float32Array,
  ids: Int32Array,
  d: number,
  leafSize: number,
  boxes: Float32Array,
  axes: Uint16Array,
  node: number,
  lo: number,
  hi: number,
): void {
  const b = node * 2 * d;
  for (let j = 0; j < d; j++) {
    boxes[b + 2 * j] = Infinity;
    boxes[b + 2 * j + 1] = -Infinity;
  }
  for (let p = lo; p < hi; p++) {
    const r = p * d;
    for (let j = 0; j < d; j++) {
      const v = c[r + j];
      if (v < boxes[b + 2 * j]) boxes[b + 2 * j] = v;
      if (v > boxes[b + 2 * j + 1]) boxes[b + 2 * j + 1] = v;
    }
  }
  const count = hi - lo;
  if (count <= leafSize) return;
  let axis = 0;
  let spread = -1;
  for (let j = 0; j < d; j++) {
    const s = boxes[b + 2 * j + 1] - boxes[b + 2 * j];
    if (s > spread) {
      spread = s;
      axis = j;
    }
  }
  const mid = lo + (count >> 1);
  axes[node] = axis;
  if (spread > 0) select(c, ids, d, mid, lo, hi - 1, axis);
  buildNode(c, ids, d, leafSize, boxes, axes, 2 * node + 1, lo, mid);
  buildNode(c, ids, d, leafSize, boxes, axes, 2 * node + 2, mid, hi);
}

/**
 * Floyd-Rivest's sample window [from, to] around k within [left, right] (more than 600 rows):
 * selecting k inside it first puts a pivot near the k-th value at k.
 */
function sampleWindow(k: number, left: number, right: number): [number, number] {
  const n = right - left + 1;
  const m = k - left + 1;
  const z = Math.log(n);
  const s = 0.5 * Math.exp((2 * z) / 3);
  const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
  return [Math.max(left, Math.floor(k - (m * s) / n + sd)), Math.min(right, Math.floor(k + ((n - m) * s) / n + sd))];
}

/** Floyd-Rivest selection of the k-th row by coordinate `axis` within rows [left, right]. */
function select(
  c: Float32Array,
  ids: Int32Array,
  d: number,
  k: number,
  left: number,
  right: number,
  axis: number,
): void {
  while (right > left) {
    if (right - left > 600) {
      const [from, to] = sampleWindow(k, left, right);
      select(c, ids, d, k, from, to, axis);
    }
    const t = c[k * d + axis];
    let i = left;
    let j = right;
    swapRows(c, ids, d, left, k);
    if (c[right * d + axis] > t) swapRows(c, ids, d, left, right);
    while (i < j) {
      swapRows(c, ids, d, i, j);
      i++;
      j--;
      while (c[i * d + axis] < t) i++;
      while (c[j * d + axis] > t) j--;
    }
    if (c[left * d + axis] === t) swapRows(c, ids, d, left, j);
    else {
      j++;
      swapRows(c, ids, d, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swapRows(c: Float32Array, ids: Int32Array, d: number, i: number, j: number): void {
  const t = ids[i];
  ids[i] = ids[j];
  ids[j] = t;
  let a = i * d;
  let b = j * d;
  for (let e = a + d; a < e; a++, b++) {
    const v = c[a];
    c[a] = c[b];
    c[b] = v;
  }
}

// The same for d = 2, unrolled: the 2-D case is the one raced against kdbush. To save a pass
// over the points per level, the split axis is chosen from the node's cell (the parent's cell
// cut at the median) rather than its tight box; tight boxes are filled bottom-up at the end.
function build2(
  c: Float32Array,
  ids: Int32Array,
  leafSize: number,
  boxes: Float32Array,
  axes: Uint16Array,
  lo: number,
  hi: number,
): void {
  bounds2(c, lo, hi, boxes, 0);
  split2(c, ids, leafSize, axes, 0, lo, hi, boxes[0], boxes[1], boxes[2], boxes[3]);
  boxes2(c, leafSize, boxes, 0, lo, hi);
}

/** The tight 2-D box [x0, x1, y0, y1] of points lo..hi, written at `out[at..at+4)`. */
function bounds2(c: Float32Array, lo: number, hi: number, out: Float32Array, at: number): void {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let p = 2 * lo, e = 2 * hi; p < e; p += 2) {
    const x = c[p];
    const y = c[p + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  out[at] = x0;
  out[at + 1] = x1;
  out[at + 2] = y0;
  out[at + 3] = y1;
}

function split2(
  c: Float32Array,
  ids: Int32Array,
  leafSize: number,
  axes: Uint16Array,
  node: number,
  lo: number,
  hi: number,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): void {
  const count = hi - lo;
  if (count <= leafSize) return;
  const axis = x1 - x0 >= y1 - y0 ? 0 : 1;
  const mid = lo + (count >> 1);
  axes[node] = axis;
  if (x1 > x0 || y1 > y0) select2(c, ids, mid, lo, hi - 1, axis);
  const m = c[2 * mid + axis];
  if (axis === 0) {
    split2(c, ids, leafSize, axes, 2 * node + 1, lo, mid, x0, m, y0, y1);
    split2(c, ids, leafSize, axes, 2 * node + 2, mid, hi, m, x1, y0, y1);
  } else {
    split2(c, ids, leafSize, axes, 2 * node + 1, lo, mid, x0, x1, y0, m);
    split2(c, ids, leafSize, axes, 2 * node + 2, mid, hi, x0, x1, m, y1);
  }
}

function boxes2(c: Float32Array, leafSize: number, boxes: Float32Array, node: number, lo: number, hi: number): void {
  const b = node * 4;
  const count = hi - lo;
  if (count <= leafSize) {
    bounds2(c, lo, hi, boxes, b);
    return;
  }
  const mid = lo + (count >> 1);
  const l = (2 * node + 1) * 4;
  const r = l + 4;
  boxes2(c, leafSize, boxes, 2 * node + 1, lo, mid);
  boxes2(c, leafSize, boxes, 2 * node + 2, mid, hi);
  boxes[b] = Math.min(boxes[l], boxes[r]);
  boxes[b + 1] = Math.max(boxes[l + 1], boxes[r + 1]);
  boxes[b + 2] = Math.min(boxes[l + 2], boxes[r + 2]);
  boxes[b + 3] = Math.max(boxes[l + 3], boxes[r + 3]);
}

function select2(c: Float32Array, ids: Int32Array, k: number, left: number, right: number, axis: number): void {
  while (right - left > 16) {
    // Floyd-Rivest: select within a sample around k first, so c[k] is a pivot near the k-th.
    if (right - left > 600) {
      const [from, to] = sampleWindow(k, left, right);
      select2(c, ids, k, from, to, axis);
    }
    const t = c[2 * k + axis];
    swap2(c, ids, k, right);
    const m = partition2(c, ids, left, right - 1, t, axis);
    swap2(c, ids, m, right);
    if (m === k) return;
    if (k < m) right = m - 1;
    else left = m + 1;
  }
  // A few rows left: insertion sort along the axis.
  for (let i = left + 1; i <= right; i++) {
    for (let j = i; j > left && c[2 * (j - 1) + axis] > c[2 * j + axis]; j--) swap2(c, ids, j - 1, j);
  }
}

const BLOCK = 64;
const offL = new Int32Array(BLOCK);
const offR = new Int32Array(BLOCK);

/**
 * Partitions rows [l, r] around value t along `axis`: returns m with rows [l, m) <= t and
 * [m, r] >= t. Block partitioning (Edelkamp and Weiss's BlockQuicksort): the comparisons of a
 * block of 64 rows on each side are recorded without branches, then the misplaced rows are
 * swapped in pairs, so random data costs no branch mispredictions in the hot loop.
 */
function partition2(c: Float32Array, ids: Int32Array, l: number, r: number, t: number, axis: number): number {
  let numL = 0;
  let numR = 0;
  let startL = 0;
  let startR = 0;
  while (r - l + 1 > 2 * BLOCK) {
    if (numL === 0) {
      startL = 0;
      for (let i = 0, p = 2 * l + axis; i < BLOCK; i++, p += 2) {
        offL[numL] = i;
        numL += +(c[p] >= t);
      }
    }
    if (numR === 0) {
      startR = 0;
      for (let i = 0, p = 2 * r + axis; i < BLOCK; i++, p -= 2) {
        offR[numR] = i;
        numR += +(c[p] <= t);
      }
    }
    const num = Math.min(numL, numR);
    for (let j = 0; j < num; j++) swap2(c, ids, l + offL[startL + j], r - offR[startR + j]);
    numL -= num;
    numR -= num;
    startL += num;
    startR += num;
    if (numL === 0) l += BLOCK;
    if (numR === 0) r -= BLOCK;
  }
  // The rest (at most two partly done blocks): plain two-pointer partition.
  let i = l;
  let j = r;
  for (;;) {
    while (i <= j && c[2 * i + axis] < t) i++;
    while (i <= j && c[2 * j + axis] > t) j--;
    if (i >= j) break;
    swap2(c, ids, i, j);
    i++;
    j--;
  }
  return i;
}

function swap2(c: Float32Array, ids: Int32Array, i: number, j: number): void {
  const t = ids[i];
  ids[i] = ids[j];
  ids[j] = t;
  const a = 2 * i;
  const b = 2 * j;
  const x = c[a];
  const y = c[a + 1];
  c[a] = c[b];
  c[a + 1] = c[b + 1];
  c[b] = x;
  c[b + 1] = y;
}
