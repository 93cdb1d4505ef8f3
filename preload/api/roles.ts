/** Workstation roles as the central HMS issues them; a user may hold several. */
export const ROLES = [
  'nurse',
  'doctor',
  'pharmacist',
  'lab-technician',
  'radiologist',
  'it-administrator',
] as const;

export type Role = (typeof ROLES)[number];

/** Clinical staff who chart at the bedside and read the ward's records. */
export const WARD_CLINICIANS: readonly Role[] = ['nurse', 'doctor'];

/** Anyone who may read a ward patient's chart. */
export const CHART_READERS: readonly Role[] = ['nurse', 'doctor', 'pharmacist'];

/**
 * Staff who may find a patient and open the chart's banner: the chart readers, and radiologists,
 * who open the Imaging tab only and need the banner to identify the patient.
 */
export const PATIENT_FINDERS: readonly Role[] = [...CHART_READERS, 'radiologist'];

/** Staff of the laboratory: the lab screens and the review queue. */
export const LAB_STAFF: readonly Role[] = ['lab-technician'];

/** Staff who view a patient's images: the ward's clinicians and radiologists. */
export const IMAGE_VIEWERS: readonly Role[] = ['nurse', 'doctor', 'radiologist'];
