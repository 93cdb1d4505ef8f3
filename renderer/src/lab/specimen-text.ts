import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

/** Words for the specimen lookup: FHIR order statuses and priorities, and kinds of scan. */

const orderStatusKeys: Record<string, PlainMessageKey> = {
  draft: 'lab.specimen.orderStatus.draft',
  active: 'lab.specimen.orderStatus.active',
  'on-hold': 'lab.specimen.orderStatus.onHold',
  revoked: 'lab.specimen.orderStatus.revoked',
  completed: 'lab.specimen.orderStatus.completed',
  'entered-in-error': 'lab.specimen.orderStatus.enteredInError',
};

const priorityKeys: Record<string, PlainMessageKey> = {
  routine: 'lab.specimen.priority.routine',
  urgent: 'lab.specimen.priority.urgent',
  asap: 'lab.specimen.priority.asap',
  stat: 'lab.specimen.priority.stat',
};

const scanKindKeys: Record<'wristband' | 'gs1' | 'hibc', PlainMessageKey> = {
  wristband: 'lab.specimen.scanKind.wristband',
  gs1: 'lab.specimen.scanKind.gs1',
  hibc: 'lab.specimen.scanKind.hibc',
};

/** Describes a FHIR ServiceRequest.status; a status outside the FHIR R4 value set is shown as sent. */
export function describeOrderStatus(status: string): string {
  const key = orderStatusKeys[status];
  return key ? t(key) : status;
}

/** Describes a FHIR ServiceRequest.priority; an unknown code is shown as sent. */
export function describeOrderPriority(priority: string): string {
  const key = priorityKeys[priority];
  return key ? t(key) : priority;
}

export function describeScanKind(kind: 'wristband' | 'gs1' | 'hibc'): string {
  return t(scanKindKeys[kind]);
}
