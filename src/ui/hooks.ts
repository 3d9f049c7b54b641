import { startTransition, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { store, type WorkbenchState } from '../state/store';

/** Reads a slice of the workbench store; re-renders only when that slice changes. */
export function useWorkbench<T>(selector: (s: WorkbenchState) => T): T {
  return useStore(store, selector);
}

/**
 * Like {@link useWorkbench}, but re-renders at most once per `ms` (trailing edge, so the last
 * value always shows), as a transition: the charts follow a run a couple of times a second,
 * not per message, and their rendering yields to the browser. `lag` staggers views that
 * follow the same data, so that each commits in its own task.
 */
export function useThrottledWorkbench<T>(selector: (s: WorkbenchState) => T, ms = 500, lag = 0): T {
  const [value, setValue] = useState(() => selector(store.getState()));
  const sel = useRef(selector);
  useEffect(() => {
    sel.current = selector;
  });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const update = () => {
      timer = null;
      last = performance.now();
      // A transition: React renders it in slices and yields to the browser in between, so a
      // chart update never blocks input or shows up as a long task.
      startTransition(() => setValue(() => sel.current(store.getState())));
    };
    update();
    const unsubscribe = store.subscribe((s, prev) => {
      if (timer || sel.current(s) === sel.current(prev)) return;
      timer = setTimeout(update, Math.max(0, last + ms - performance.now()) + lag);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [ms, lag]);
  return value;
}
