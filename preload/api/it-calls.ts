import type { CallDefinition } from './contract.js';
import { diagnosticsExport, diagnosticsSummary, effectiveSettings, updateSettingInput } from './it-schemas.js';
import { empty } from './schemas.js';

/**
 * Calls of the settings and diagnostics screens, spread into the contract's `calls`. They carry
 * IT's configuration and counts only, never patient data.
 */
export const itCalls = {
  settings: {
    /** Every setting's effective value with its source, and what was ignored. */
    effective: {
      channel: 'settings:effective',
      input: empty,
      result: effectiveSettings,
      access: 'signed-in',
      touchesPatientData: false,
    },
    /** Changes a user setting in settings.json; it applies from the next start. */
    update: {
      channel: 'settings:update',
      input: updateSettingInput.strict(),
      result: effectiveSettings,
      access: ['it-administrator'],
      touchesPatientData: false,
    },
  },
  diagnostics: {
    /** Versions, replica size, sync lag, devices and the effective policy. */
    summary: {
      channel: 'diagnostics:summary',
      input: empty,
      result: diagnosticsSummary,
      access: ['it-administrator'],
      touchesPatientData: false,
    },
    /** Writes a tar.gz of logs, policy, versions and replica counts into the data folder. */
    export: {
      channel: 'diagnostics:export',
      input: empty,
      result: diagnosticsExport,
      access: ['it-administrator'],
      touchesPatientData: false,
    },
  },
} as const satisfies Record<string, Record<string, CallDefinition>>;
