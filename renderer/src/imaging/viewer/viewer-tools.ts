import { cornerstoneTools } from './cornerstone-setup.js';

/** Tools that the left mouse button can take. */
export type LeftButtonTool = 'Wwwc' | 'Pan' | 'Zoom' | 'Length' | 'Angle' | 'EllipticalRoi';

export const LEFT_BUTTON_TOOLS: readonly LeftButtonTool[] = ['Wwwc', 'Pan', 'Zoom', 'Length', 'Angle', 'EllipticalRoi'];

/** The annotation tools, whose results the measurement list shows. */
export const MEASUREMENT_TOOLS = ['Length', 'Angle', 'EllipticalRoi'] as const;
export type MeasurementTool = (typeof MEASUREMENT_TOOLS)[number];

const LEFT_BUTTON = 1;
const RIGHT_BUTTON = 2;
const MIDDLE_BUTTON = 4;

// TODO: cornerstone-tools 6 draws its own English labels beside annotations ("Mean:", "Std Dev:",
// "Area:") and has no hook to translate them. The measurement list below the image uses the catalog.

/**
 * Adds the viewer's tools to an enabled element: the chosen tool on the left button, pan on the
 * middle and zoom on the right button. Measurement tools start passive, so their annotations
 * are drawn and can be moved before a measuring tool is chosen.
 */
export function addViewerTools(element: HTMLElement): void {
  cornerstoneTools.addToolForElement(element, cornerstoneTools.WwwcTool);
  cornerstoneTools.addToolForElement(element, cornerstoneTools.PanTool);
  cornerstoneTools.addToolForElement(element, cornerstoneTools.ZoomTool, { configuration: { minScale: 0.1, maxScale: 20 } });
  cornerstoneTools.addToolForElement(element, cornerstoneTools.LengthTool);
  cornerstoneTools.addToolForElement(element, cornerstoneTools.AngleTool);
  cornerstoneTools.addToolForElement(element, cornerstoneTools.EllipticalRoiTool);
  for (const tool of MEASUREMENT_TOOLS) cornerstoneTools.setToolPassiveForElement(element, tool);
  cornerstoneTools.setToolActiveForElement(element, 'Pan', { mouseButtonMask: MIDDLE_BUTTON });
  cornerstoneTools.setToolActiveForElement(element, 'Zoom', { mouseButtonMask: RIGHT_BUTTON });
  cornerstoneTools.setToolActiveForElement(element, 'Wwwc', { mouseButtonMask: LEFT_BUTTON });
}

/**
 * Gives the left button to `tool`. cornerstone-tools makes the tool that had the left button
 * passive; pan and zoom then go back to their own buttons, and measurement tools stay passive.
 */
export function activateLeftButtonTool(element: HTMLElement, tool: LeftButtonTool): void {
  for (const measurement of MEASUREMENT_TOOLS) {
    if (measurement !== tool) cornerstoneTools.setToolPassiveForElement(element, measurement);
  }
  cornerstoneTools.setToolActiveForElement(element, tool, { mouseButtonMask: LEFT_BUTTON });
  if (tool !== 'Pan') cornerstoneTools.setToolActiveForElement(element, 'Pan', { mouseButtonMask: MIDDLE_BUTTON });
  if (tool !== 'Zoom') cornerstoneTools.setToolActiveForElement(element, 'Zoom', { mouseButtonMask: RIGHT_BUTTON });
}
