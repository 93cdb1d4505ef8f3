/**
 * Types of the parts of legacy Cornerstone that the viewer uses. cornerstone-core 2.6,
 * cornerstone-tools 6 and cornerstone-wado-image-loader 4 ship no TypeScript types.
 */

declare module 'cornerstone-core' {
  export interface VoiRange {
    windowWidth: number;
    windowCenter: number;
  }

  export interface Viewport {
    scale: number;
    translation: { x: number; y: number };
    voi: VoiRange;
    invert: boolean;
    pixelReplication: boolean;
    rotation: number;
    hflip: boolean;
    vflip: boolean;
    modalityLUT?: unknown;
    voiLUT?: unknown;
  }

  export interface Image {
    imageId: string;
    rows: number;
    columns: number;
    width: number;
    height: number;
    color: boolean;
    minPixelValue: number;
    maxPixelValue: number;
    slope: number;
    intercept: number;
    windowCenter?: number | number[];
    windowWidth?: number | number[];
    invert: boolean;
    rowPixelSpacing?: number;
    columnPixelSpacing?: number;
    sizeInBytes: number;
    getPixelData(): ArrayLike<number>;
    decodeTimeInMS?: number;
    loadTimeInMS?: number;
  }

  export interface EnabledElement {
    element: HTMLElement;
    canvas: HTMLCanvasElement;
    image?: Image;
    viewport?: Viewport;
  }

  export interface ImageLoadObject {
    promise: Promise<Image>;
  }

  export const EVENTS: { IMAGE_RENDERED: string; NEW_IMAGE: string };

  export function enable(element: HTMLElement, options?: Record<string, unknown>): void;
  export function disable(element: HTMLElement): void;
  export function displayImage(element: HTMLElement, image: Image, viewport?: Partial<Viewport>): void;
  export function loadAndCacheImage(imageId: string, options?: Record<string, unknown>): Promise<Image>;
  export function getEnabledElement(element: HTMLElement): EnabledElement;
  export function getViewport(element: HTMLElement): Viewport | undefined;
  export function setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
  export function getDefaultViewportForImage(element: HTMLElement, image: Image): Viewport;
  export function reset(element: HTMLElement): void;
  export function resize(element: HTMLElement, forceFitToWindow?: boolean): void;
  export function fitToWindow(element: HTMLElement): void;
  export function updateImage(element: HTMLElement): void;
  export function renderToCanvas(canvas: HTMLCanvasElement, image: Image): void;
  export function pixelToCanvas(element: HTMLElement, point: { x: number; y: number }): { x: number; y: number };
  export function canvasToPixel(element: HTMLElement, point: { x: number; y: number }): { x: number; y: number };
  export function getPixels(element: HTMLElement, x: number, y: number, width: number, height: number): number[];
  export function registerImageLoader(scheme: string, loader: unknown): void;
  export const metaData: {
    get(type: string, imageId: string): unknown;
    addProvider(provider: (type: string, imageId: string) => unknown, priority?: number): void;
  };
  export const imageCache: {
    setMaximumSizeBytes(bytes: number): void;
    purgeCache(): void;
    removeImageLoadObject(imageId: string): void;
    getImageLoadObject(imageId: string): ImageLoadObject | undefined;
    getCacheInfo(): { maximumSizeInBytes: number; cacheSizeInBytes: number; numberOfImagesCached: number };
  };
}

declare module 'cornerstone-math' {
  const cornerstoneMath: unknown;
  export default cornerstoneMath;
}

declare module 'hammerjs' {
  const Hammer: unknown;
  export default Hammer;
}

declare module 'cornerstone-tools' {
  export interface ToolState<T> {
    data: T[];
  }
  export const external: { cornerstone: unknown; cornerstoneMath: unknown; Hammer: unknown };
  export const LengthTool: unknown;
  export const AngleTool: unknown;
  export const EllipticalRoiTool: unknown;
  export const WwwcTool: unknown;
  export const PanTool: unknown;
  export const ZoomTool: unknown;
  export const EVENTS: { MEASUREMENT_ADDED: string; MEASUREMENT_MODIFIED: string; MEASUREMENT_COMPLETED: string; MEASUREMENT_REMOVED: string };
  export function init(configuration?: Record<string, unknown>): void;
  export function addToolForElement(element: HTMLElement, tool: unknown, configuration?: Record<string, unknown>): void;
  export function setToolActiveForElement(element: HTMLElement, toolName: string, options: { mouseButtonMask: number }): void;
  export function setToolPassiveForElement(element: HTMLElement, toolName: string): void;
  export function getToolState<T>(element: HTMLElement, toolName: string): ToolState<T> | undefined;
  export function clearToolState(element: HTMLElement, toolName: string): void;
  export const globalImageIdSpecificToolStateManager: { restoreToolState(state: Record<string, unknown>): void; saveToolState(): Record<string, unknown> };
}

declare module 'cornerstone-wado-image-loader' {
  import type { Image } from 'cornerstone-core';
  import type { DataSet } from 'dicom-parser';

  const cornerstoneWADOImageLoader: {
    external: { cornerstone: unknown; dicomParser: unknown };
    webWorkerManager: {
      initialize(configuration: Record<string, unknown>): void;
      terminate(): void;
      getStatistics(): Record<string, unknown>;
    };
    configure(options: { beforeSend?: (xhr: XMLHttpRequest, imageId: string) => void; [key: string]: unknown }): void;
    wadouri: {
      parseImageId(imageId: string): { scheme: string; url: string; frame?: number };
      dataSetCacheManager: {
        get(url: string): DataSet | undefined;
        isLoaded(url: string): boolean;
        unload(url: string): void;
        purge(): void;
      };
      loadImage(imageId: string): { promise: Promise<Image> };
    };
  };
  export default cornerstoneWADOImageLoader;
}
