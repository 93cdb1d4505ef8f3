import type { SpO2ScaleDecision } from '../../../preload/api/index.js';
import { t } from '../i18n/index.js';
import { formatDateTime } from './datetime.js';

/** Describes the patient's SpO2 scale: "Scale 1", or "Scale 2, set by … on …". */
export function describeSpO2Scale(decision: SpO2ScaleDecision): string {
  if (decision.scale === 1) return t('spo2Scale.scale1');
  if (decision.decidedBy === null || decision.decidedAt === null) return t('spo2Scale.scale2Unattributed');
  return t('spo2Scale.scale2', { name: decision.decidedBy, date: formatDateTime(decision.decidedAt) });
}
