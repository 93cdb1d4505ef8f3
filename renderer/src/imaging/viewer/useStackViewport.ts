import type { Image, Viewport } from 'cornerstone-core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { addViewerTools, activateLeftButtonTool } from './viewer-tools.js';
import type { LeftButtonTool } from './viewer-tools.js';
import { cornerstone, initialiseCornerstone, wadoImageLoader } from './cornerstone-setup.js';
import type { ImageFacts } from './image-facts.js';
import { factsOfDataSet } from './image-facts.js';
import type { StackImage } from './image-ids.js';
import { fileUrlOfImageId } from './image-ids.js';
import type { ImageLoadProblem } from './load-image.js';
import { loadImageWithin } from './load-image.js';
import type { Measurement } from './measurements.js';
import { clearMeasurements, measurementsOf } from './measurements.js';

/** State of the viewport at the current position of the stack. */
export type SlotState = { status: 'loading' } | { status: 'shown' } | { status: 'failed'; problem: ImageLoadProblem };

/** The display settings of the shown image, for the corner overlays. */
export interface ViewportReadout {
  windowWidth: number;
  windowCenter: number;
  /** True while a VOI LUT from the file, not a linear window, maps the values. */
  voiLut: boolean;
  scale: number;
  invert: boolean;
  rotation: number;
  hflip: boolean;
  vflip: boolean;
}

export interface StackViewportState {
  index: number;
  slot: SlotState;
  readout: ViewportReadout | null;
  facts: ImageFacts | null;
  measurements: Measurement[];
  /** Images of the stack that failed to load, by index, counted in the overlay so the reader knows the series is incomplete. */
  failedIndices: ReadonlySet<number>;
}

export interface StackViewportOptions {
  loadTimeoutMs: number;
}

/** Images loaded ahead of the reader at the same time, besides the one on screen. */
const PREFETCH_CONCURRENCY = 2;

function readoutOf(viewport: Viewport): ViewportReadout {
  return {
    windowWidth: viewport.voi.windowWidth,
    windowCenter: viewport.voi.windowCenter,
    voiLut: viewport.voiLUT !== undefined && viewport.voiLUT !== null,
    scale: viewport.scale,
    invert: viewport.invert,
    rotation: viewport.rotation,
    hflip: viewport.hflip,
    vflip: viewport.vflip,
  };
}

function displayedImage(element: HTMLElement): Image | undefined {
  try {
    return cornerstone.getEnabledElement(element).image;
  } catch {
    return undefined;
  }
}

/**
 * Shows one series as a stack in a cornerstone element. It loads the image at the current
 * position within the time limit and keeps window, zoom and orientation while the reader
 * scrolls. The rest of the series loads in the background, and the state reports what is shown.
 */
export function useStackViewport(stack: readonly StackImage[], options: StackViewportOptions) {
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const [state, setState] = useState<StackViewportState>({
    index: 0,
    slot: { status: 'loading' },
    readout: null,
    facts: null,
    measurements: [],
    failedIndices: new Set(),
  });
  const indexRef = useRef(0);
  const requestRef = useRef(0);
  const busyRef = useRef(false);
  const failedRef = useRef(false);
  const shownSeriesRef = useRef<readonly StackImage[] | null>(null);
  const timeoutRef = useRef(options.loadTimeoutMs);
  timeoutRef.current = options.loadTimeoutMs;

  // Enables the element once, with the tools and a resize observer, and releases it on unmount.
  useEffect(() => {
    if (element === null) return;
    initialiseCornerstone();
    cornerstone.enable(element);
    addViewerTools(element);

    const onRendered = () => {
      const viewport = cornerstone.getViewport(element);
      const image = displayedImage(element);
      if (viewport === undefined || image === undefined) return;
      setState((previous) => ({ ...previous, readout: readoutOf(viewport), measurements: measurementsOf(element, image) }));
    };
    element.addEventListener(cornerstone.EVENTS.IMAGE_RENDERED, onRendered);
    // A resize keeps the reader's zoom and pan; only a new series or Reset fits the image again.
    const resizeObserver = new ResizeObserver(() => cornerstone.resize(element, false));
    resizeObserver.observe(element);

    return () => {
      resizeObserver.disconnect();
      element.removeEventListener(cornerstone.EVENTS.IMAGE_RENDERED, onRendered);
      cornerstone.disable(element);
    };
  }, [element]);

  const show = useCallback(
    async (index: number) => {
      if (element === null || stack.length === 0) return;
      const target = Math.max(0, Math.min(stack.length - 1, index));
      const stackImage = stack[target];
      if (stackImage === undefined) return;
      const request = ++requestRef.current;
      indexRef.current = target;
      busyRef.current = true;
      setState((previous) => ({ ...previous, index: target, slot: { status: 'loading' } }));

      const result = await loadImageWithin(stackImage.imageId, timeoutRef.current);
      if (request !== requestRef.current) return;
      busyRef.current = false;
      failedRef.current = !result.ok;
      if (!result.ok) {
        setState((previous) => ({ ...previous, slot: { status: 'failed', problem: result.problem }, failedIndices: new Set(previous.failedIndices).add(target) }));
        return;
      }

      // The first image of a series gets its own default window, from the file or its pixel
      // range. Later slices keep the reader's window, zoom, pan and orientation.
      const sameSeries = shownSeriesRef.current === stack && displayedImage(element) !== undefined;
      const viewport = sameSeries ? cornerstone.getViewport(element) : cornerstone.getDefaultViewportForImage(element, result.image);
      shownSeriesRef.current = stack;
      cornerstone.displayImage(element, result.image, viewport);
      const dataSet = wadoImageLoader.wadouri.dataSetCacheManager.get(fileUrlOfImageId(stackImage.imageId));
      setState((previous) => ({ ...previous, slot: { status: 'shown' }, facts: dataSet === undefined ? null : factsOfDataSet(dataSet) }));
    },
    [element, stack],
  );

  // A new series starts at its first image, and the rest of it loads in the background.
  useEffect(() => {
    if (element === null) return;
    if (stack.length === 0) {
      // A series listed without instances, such as one with nothing cached while the PACS is down.
      setState((previous) => ({ ...previous, slot: { status: 'failed', problem: { kind: 'not-found' } }, failedIndices: new Set(), measurements: [] }));
      return;
    }
    let cancelled = false;
    setState((previous) => ({ ...previous, failedIndices: new Set(), measurements: [] }));
    void show(0).then(async () => {
      let next = 1;
      const worker = async () => {
        while (!cancelled && next < stack.length) {
          const index = next;
          next += 1;
          const stackImage = stack[index];
          if (stackImage === undefined) continue;
          const result = await loadImageWithin(stackImage.imageId, timeoutRef.current);
          if (!cancelled && !result.ok) setState((previous) => ({ ...previous, failedIndices: new Set(previous.failedIndices).add(index) }));
        }
      };
      await Promise.all(Array.from({ length: PREFETCH_CONCURRENCY }, worker));
    });
    return () => {
      cancelled = true;
    };
  }, [element, stack, show]);

  const scrollBy = useCallback(
    (delta: number, wrap = false) => {
      if (stack.length === 0) return;
      let target = indexRef.current + delta;
      if (wrap) target = ((target % stack.length) + stack.length) % stack.length;
      target = Math.max(0, Math.min(stack.length - 1, target));
      if (target !== indexRef.current || failedRef.current) void show(target);
    },
    [show, stack.length],
  );

  const changeViewport = useCallback(
    (change: (viewport: Viewport) => void) => {
      if (element === null || displayedImage(element) === undefined) return;
      const viewport = cornerstone.getViewport(element);
      if (viewport === undefined) return;
      change(viewport);
      cornerstone.setViewport(element, viewport);
    },
    [element],
  );

  const isBusy = useCallback(() => busyRef.current, []);

  const actions = useMemo(() => ({
    scrollTo: (index: number) => void show(index),
    scrollBy,
    /** Whether an image is still loading, so cine waits instead of piling up requests. */
    isBusy,
    setTool: (tool: LeftButtonTool) => {
      if (element !== null) activateLeftButtonTool(element, tool);
    },
    setWindow: (windowWidth: number, windowCenter: number) =>
      changeViewport((viewport) => {
        viewport.voi = { windowWidth, windowCenter };
        viewport.voiLUT = undefined;
      }),
    invert: () => changeViewport((viewport) => (viewport.invert = !viewport.invert)),
    rotate: () => changeViewport((viewport) => (viewport.rotation = (viewport.rotation + 90) % 360)),
    flipHorizontal: () => changeViewport((viewport) => (viewport.hflip = !viewport.hflip)),
    flipVertical: () => changeViewport((viewport) => (viewport.vflip = !viewport.vflip)),
    reset: () => {
      if (element !== null && displayedImage(element) !== undefined) cornerstone.reset(element);
    },
    clearMeasurements: () => {
      if (element === null) return;
      clearMeasurements(element);
      if (displayedImage(element) !== undefined) cornerstone.updateImage(element);
    },
  }), [element, show, scrollBy, isBusy, changeViewport]);

  return { setElement, element, state, actions };
}
