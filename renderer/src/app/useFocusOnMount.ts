import type { RefObject } from 'react';
import { useEffect } from 'react';

/** Moves keyboard focus to `ref` when a screen opens, so keyboard and screen reader users start at its heading. */
export function useFocusOnMount(ref: RefObject<HTMLElement | null>, key?: string): void {
  useEffect(() => {
    ref.current?.focus();
  }, [ref, key]);
}
