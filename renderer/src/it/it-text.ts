import type { EffectiveSetting } from '../../../preload/api/index.js';
import type { PlainMessageKey } from '../i18n/index.js';
import { getLocale, t } from '../i18n/index.js';

const levelLabels: Record<NonNullable<EffectiveSetting['level']>, PlainMessageKey> = {
  mandatory: 'it.level.mandatory',
  ward: 'it.level.ward',
  user: 'it.level.user',
  recommended: 'it.level.recommended',
  default: 'it.level.default',
};

/** Describes the level a setting's value comes from in words; the screens show the source path after it. */
export function describeLevel(level: EffectiveSetting['level']): string {
  return level === null ? t('it.level.unset') : t(levelLabels[level]);
}

/**
 * Catalog keys of the settings' labels, by policy key. The renderer may not import the core's
 * policy schema, so a unit test checks that every policy key has a label here.
 */
const settingLabels: Record<string, PlainMessageKey> = {
  dataDirectory: 'settings.name.dataDirectory',
  serverUrl: 'settings.name.serverUrl',
  wardId: 'settings.name.wardId',
  offlineSignInDays: 'settings.name.offlineSignInDays',
  inactivityLockMinutes: 'settings.name.inactivityLockMinutes',
  failedSignInLimit: 'settings.name.failedSignInLimit',
  signInLockoutMinutes: 'settings.name.signInLockoutMinutes',
  retentionDaysAfterLeaving: 'settings.name.retentionDaysAfterLeaving',
  updateMode: 'settings.name.updateMode',
  updateUrl: 'settings.name.updateUrl',
  updateChannel: 'settings.name.updateChannel',
  updateRing: 'settings.name.updateRing',
  updateWindow: 'settings.name.updateWindow',
  allowDowngrade: 'settings.name.allowDowngrade',
  minimumVersion: 'settings.name.minimumVersion',
  proxy: 'settings.name.proxy',
  allowedUsbDevices: 'settings.name.allowedUsbDevices',
  allowedSerialPorts: 'settings.name.allowedSerialPorts',
  logLevel: 'settings.name.logLevel',
  crashDumpRetentionDays: 'settings.name.crashDumpRetentionDays',
};

/** Names a setting in words. A policy key without a label, such as one from a newer core, is returned unchanged. */
export function describeSettingKey(key: string): string {
  const label = Object.hasOwn(settingLabels, key) ? settingLabels[key] : undefined;
  return label === undefined ? key : t(label);
}

/** Shows a setting's value: text and numbers as they are, lists and objects as JSON. */
export function formatSettingValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Formats a byte count in kB below one megabyte and in MB with one decimal above. */
export function formatBytes(bytes: number): string {
  const [unit, divisor] = bytes < 1_000_000 ? (['kilobyte', 1_000] as const) : (['megabyte', 1_000_000] as const);
  return new Intl.NumberFormat(getLocale(), { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / divisor);
}

const syncStateLabels: Record<string, PlainMessageKey> = {
  online: 'sync.state.online',
  syncing: 'sync.state.syncing',
  offline: 'sync.state.offline',
  stopped: 'sync.state.stopped',
  'sign-in-needed': 'sync.state.signInNeeded',
};

/** Describes the replication state in the words of the sync strip. */
export function describeSyncState(state: string): string {
  const key = syncStateLabels[state];
  return key === undefined ? state : t(key);
}

const deviceStateLabels: Record<string, PlainMessageKey> = {
  open: 'diagnostics.device.open',
  opening: 'diagnostics.device.opening',
  reconnecting: 'diagnostics.device.reconnecting',
  failed: 'diagnostics.device.failed',
  closed: 'diagnostics.device.closed',
  refused: 'diagnostics.device.refused',
  'not-started': 'diagnostics.device.notStarted',
  connected: 'diagnostics.device.connected',
  disconnected: 'diagnostics.device.disconnected',
  blocked: 'diagnostics.device.blocked',
};

/** Describes an analyzer's or scanner's state; an unknown state is shown as the core sent it. */
export function describeDeviceState(state: string): string {
  const key = deviceStateLabels[state];
  return key === undefined ? state : t(key);
}

/** Formats a sync lag in whole minutes, or seconds below one minute. */
export function formatLag(seconds: number | null): string {
  if (seconds === null) return t('diagnostics.sync.never');
  if (seconds < 60) return t('diagnostics.sync.lagSeconds', { seconds });
  return t('diagnostics.sync.lagMinutes', { minutes: Math.floor(seconds / 60) });
}
