import { useCallback, useEffect, useState } from 'react';

interface CineTarget {
  scrollBy(delta: number, wrap?: boolean): void;
  isBusy(): boolean;
}

/** Frame rate a cine loop starts with, in frames per second. */
const DEFAULT_FRAMES_PER_SECOND = 10;

/**
 * Plays the stack as a loop at a frame rate. A tick that finds the previous image still loading
 * is skipped, so a slow series plays slower instead of queueing loads.
 */
export function useCine(target: CineTarget, imageCount: number) {
  const [playing, setPlaying] = useState(false);
  const [framesPerSecond, setFramesPerSecond] = useState(DEFAULT_FRAMES_PER_SECOND);
  const { scrollBy, isBusy } = target;

  useEffect(() => {
    if (!playing || imageCount < 2) return;
    const timer = setInterval(() => {
      if (!isBusy()) scrollBy(1, true);
    }, 1000 / framesPerSecond);
    return () => clearInterval(timer);
  }, [playing, framesPerSecond, imageCount, scrollBy, isBusy]);

  const play = useCallback(() => setPlaying(true), []);
  const stop = useCallback(() => setPlaying(false), []);
  return { playing, framesPerSecond, setFramesPerSecond, play, stop };
}
