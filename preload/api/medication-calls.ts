import { z } from 'zod';

import type { CallDefinition } from './contract.js';
import { administerInput, holdDoseInput, marView, medicationCheckInput, medicationCheckResult } from './medication-schemas.js';
import { patientId } from './schemas.js';
import { CHART_READERS, WARD_CLINICIANS } from './roles.js';

/** Calls of the medication area, spread into the contract's `calls`. */
export const medicationCalls = {
  medication: {
    /** The patient's MAR: orders and their doses from 12 hours back to 12 hours ahead. */
    mar: {
      channel: 'medication:mar',
      input: z.object({ patientId }).strict(),
      result: marView,
      access: CHART_READERS,
      touchesPatientData: true,
    },
    /** Checks a scanned package against the patient's due doses (five rights); records nothing. */
    check: {
      channel: 'medication:check',
      input: medicationCheckInput.strict(),
      result: medicationCheckResult,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    },
    /** Records a dose given, after checking the scan again; a failed check needs an override reason. */
    administer: {
      channel: 'medication:administer',
      input: administerInput.strict(),
      result: marView,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    },
    /** Records a scheduled dose as held, with the reason. */
    hold: {
      channel: 'medication:hold',
      input: holdDoseInput.strict(),
      result: marView,
      access: WARD_CLINICIANS,
      touchesPatientData: true,
    },
  },
} as const satisfies Record<string, Record<string, CallDefinition>>;
