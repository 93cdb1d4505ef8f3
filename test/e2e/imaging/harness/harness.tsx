/**
 * Test page of the imaging viewer: mounts `StudyViewer` with a study given by the test, and lets
 * the test map image pixels to canvas points with cornerstone's own transform.
 */
import '../../../../renderer/src/styles/app.css';
import './harness.css';

import { createRoot } from 'react-dom/client';

import { cornerstone, cornerstoneTools } from '../../../../renderer/src/imaging/viewer/cornerstone-setup.js';
import { StudyViewer } from '../../../../renderer/src/imaging/viewer/StudyViewer.js';
import type { ViewerHarness } from '../support/viewer-harness-api.js';

const container = document.getElementById('root');
if (container === null) throw new Error('The test page has no #root element');
const root = createRoot(container);
let mounted = 0;

function viewportElement(): HTMLElement {
  const element = document.querySelector<HTMLElement>('[data-testid="viewer-viewport"]');
  if (element === null) throw new Error('No viewer viewport is mounted');
  return element;
}

const harness: ViewerHarness = {
  mount(study, options = {}) {
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
  canvasPointOfPixel(column, row) {
    return cornerstone.pixelToCanvas(viewportElement(), { x: column + 0.5, y: row + 0.5 });
  },
  canvasRgba(x, y) {
    const canvas = viewportElement().querySelector('canvas');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) throw new Error('The viewport has no canvas');
    return [...context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data];
  },
  toolData(toolName) {
    return cornerstoneTools.getToolState<unknown>(viewportElement(), toolName)?.data ?? [];
  },
  cachedImageCount() {
    return cornerstone.imageCache.getCacheInfo().numberOfImagesCached;
  },
};

window.viewerHarness = harness;
