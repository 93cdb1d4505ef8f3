/**
 * Test page of the imaging viewer: mounts `StudyViewer` with a study given by the test, and lets
 * the test map image pixels to canvas points with cornerstone's own transform.
 */
import '../../../../renderer/src/styles/app.css';
import './harness.css';

import { createRoot } from 'react-dom/client';

import type { WindowPreset } from '../../../../preload/api/imaging-presets.js';
import type { StudySeriesList } from '../../../../preload/api/imaging-schemas.js';
import { cornerstone, cornerstoneTools } from '../../../../renderer/src/imaging/viewer/cornerstone-setup.js';
import { StudyViewer } from '../../../../renderer/src/imaging/viewer/StudyViewer.js';

interface MountOptions {
  loadTimeoutMs?: number;
  windowPresets?: WindowPreset[];
}

const container = document.getElementById('root');
if (container === null) throw new Error('The test page has no #root element');
const root = createRoot(container);
let mounted = 0;

function viewportElement(): HTMLElement {
  const element = document.querySelector<HTMLElement>('[data-testid="viewer-viewport"]');
  if (element === null) throw new Error('No viewer viewport is mounted');
  return element;
}

const harness = {
  /** cornerstone-core itself, for checks that need its transforms. */
  cornerstone,
  mount(study: StudySeriesList, options: MountOptions = {}): void {
    mounted += 1;
    root.render(
      <StudyViewer
        key={mounted}
        study={study}
        instanceUrl={(studyUid, seriesUid, sopUid) => `/instances/${studyUid}/${seriesUid}/${sopUid}`}
        loadTimeoutMs={options.loadTimeoutMs}
        windowPresets={options.windowPresets}
      />,
    );
  },
  /** Maps the centre of image pixel (column, row) to a point of the viewport canvas, in canvas pixels. */
  canvasPointOfPixel(column: number, row: number): { x: number; y: number } {
    return cornerstone.pixelToCanvas(viewportElement(), { x: column + 0.5, y: row + 0.5 });
  },
  /** Reads the RGBA of the viewport canvas at a canvas point. */
  canvasRgba(x: number, y: number): number[] {
    const canvas = viewportElement().querySelector('canvas');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) throw new Error('The viewport has no canvas');
    return [...context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data];
  },
  viewport() {
    return cornerstone.getViewport(viewportElement());
  },
  /** Returns the annotations of one cornerstone-tools tool on the shown image. */
  toolData(toolName: string): unknown[] {
    return cornerstoneTools.getToolState<unknown>(viewportElement(), toolName)?.data ?? [];
  },
};

declare global {
  interface Window {
    viewerHarness: typeof harness;
  }
}
window.viewerHarness = harness;
