// Minimal types for benchmark anchors that ship without their own.

declare module 'static-kdtree' {
  /** A static kd-tree (mikolalysenko/static-kdtree 1.0). */
  export interface StaticKdTree {
    readonly dimension: number;
    readonly length: number;
    /** Indices of the k nearest points, nearest first. */
    knn(point: ArrayLike<number>, k: number, maxDistance?: number): number[];
    nn(point: ArrayLike<number>, maxDistance?: number): number;
    rnn(point: ArrayLike<number>, radius: number, visit: (index: number) => unknown): unknown;
    range(lo: ArrayLike<number>, hi: ArrayLike<number>, visit: (index: number) => unknown): unknown;
    dispose(): void;
  }
  /** Builds a tree over an array of d-element points. */
  export default function createKDTree(points: ArrayLike<number>[]): StaticKdTree;
}
