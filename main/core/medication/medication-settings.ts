import { z } from 'zod';

/** Minutes before or after a scheduled time within which a scanned dose counts as on time. */
export const DEFAULT_CHECK_WINDOW_MINUTES = 30;

/** Medication administration settings of a ward workstation. */
export const medicationSettings = z.object({
  /** Minutes before or after a scheduled dose time within which the bedside check passes the time. */
  checkWindowMinutes: z.number().int().min(5).max(240).default(DEFAULT_CHECK_WINDOW_MINUTES),
});
export type MedicationSettings = z.infer<typeof medicationSettings>;
