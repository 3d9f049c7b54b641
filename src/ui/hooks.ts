import { useStore } from 'zustand';
import { store, type WorkbenchState } from '../state/store';

/** Reads a slice of the workbench store; re-renders only when that slice changes. */
export function useWorkbench<T>(selector: (s: WorkbenchState) => T): T {
  return useStore(store, selector);
}
