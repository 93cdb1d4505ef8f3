import type { News2Parameter, News2ResponseLevel } from '../../../preload/api/index.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { t } from '../i18n/index.js';

const levelKeys: Record<News2ResponseLevel, PlainMessageKey> = {
  zero: 'news2.level.zero',
  low: 'news2.level.low',
  'low-medium': 'news2.level.low-medium',
  medium: 'news2.level.medium',
  high: 'news2.level.high',
};

const responseKeys: Record<News2ResponseLevel, PlainMessageKey> = {
  zero: 'news2.response.zero',
  low: 'news2.response.low',
  'low-medium': 'news2.response.low-medium',
  medium: 'news2.response.medium',
  high: 'news2.response.high',
};

const frequencyKeys: Record<News2ResponseLevel, PlainMessageKey> = {
  zero: 'news2.frequency.zero',
  low: 'news2.frequency.low',
  'low-medium': 'news2.frequency.low-medium',
  medium: 'news2.frequency.medium',
  high: 'news2.frequency.high',
};

const parameterKeys: Record<News2Parameter, PlainMessageKey> = {
  respiratoryRate: 'vitals.parameter.respiratoryRate',
  spo2: 'vitals.parameter.spo2',
  onOxygen: 'vitals.parameter.onOxygen',
  systolicBloodPressure: 'vitals.parameter.systolicBloodPressure',
  pulse: 'vitals.parameter.pulse',
  consciousness: 'vitals.parameter.consciousness',
  temperature: 'vitals.parameter.temperature',
};

/** Returns the short name of a response level, for example "Medium". */
export function responseLevelName(level: News2ResponseLevel): string {
  return t(levelKeys[level]);
}

/** Returns what the clinical team does at this level (RCP Chart 4). */
export function responseText(level: News2ResponseLevel): string {
  return t(responseKeys[level]);
}

/** Returns the minimum monitoring frequency at this level (RCP Chart 4). */
export function monitoringFrequencyText(level: News2ResponseLevel): string {
  return t(frequencyKeys[level]);
}

export function parameterName(parameter: News2Parameter): string {
  return t(parameterKeys[parameter]);
}
