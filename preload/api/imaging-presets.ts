import { z } from 'zod';

/**
 * Window presets of the imaging viewer: a window width and centre in the image's modality units
 * (Hounsfield units for CT). Hospital IT may replace the list in the imaging settings.
 */
export const windowPreset = z.object({
  /** Stable key; the viewer shows its own label for the default keys and `name` for others. */
  id: z.string().min(1).max(40),
  name: z.string().min(1).max(60),
  width: z.number().positive(),
  center: z.number(),
});
export type WindowPreset = z.infer<typeof windowPreset>;

export const windowPresetList = z.array(windowPreset).max(20);

/**
 * CT presets commonly used in reading rooms. Published values differ between viewers and
 * departments, which is why the list is a setting.
 */
export const DEFAULT_WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'brain', name: 'Brain', width: 80, center: 40 },
  { id: 'subdural', name: 'Subdural', width: 200, center: 75 },
  { id: 'stroke', name: 'Stroke', width: 40, center: 40 },
  { id: 'lung', name: 'Lung', width: 1500, center: -600 },
  { id: 'mediastinum', name: 'Mediastinum', width: 350, center: 50 },
  { id: 'abdomen', name: 'Abdomen', width: 400, center: 40 },
  { id: 'liver', name: 'Liver', width: 150, center: 90 },
  { id: 'bone', name: 'Bone', width: 2500, center: 480 },
];
