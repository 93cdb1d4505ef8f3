import type { MachinePolicy } from './policy.js';

/**
 * IT's device allow-lists (the policy keys allowedUsbDevices and allowedSerialPorts). A key that
 * is not set allows every device of its kind, as on a workstation IT has not locked down. A key
 * set to an empty list allows none.
 */

/** A USB device as node-hid or serialport report it (numbers), or as policy writes it ("0x0c2e"). */
export interface UsbDeviceId {
  vendorId: number | string;
  productId: number | string;
}

export type AllowedUsbDevice = NonNullable<MachinePolicy['allowedUsbDevices']>[number];

/**
 * Returns the allow-list entry that admits this device, undefined when the list does not name it,
 * or `'unrestricted'` when policy sets no list. The entry carries IT's `role` for the device.
 */
export function findAllowedUsbDevice(policy: Pick<MachinePolicy, 'allowedUsbDevices'>, device: UsbDeviceId): AllowedUsbDevice | 'unrestricted' | undefined {
  if (policy.allowedUsbDevices === undefined) return 'unrestricted';
  const vendorId = usbIdNumber(device.vendorId);
  const productId = usbIdNumber(device.productId);
  if (vendorId === undefined || productId === undefined) return undefined;
  return policy.allowedUsbDevices.find((entry) => usbIdNumber(entry.vendorId) === vendorId && usbIdNumber(entry.productId) === productId);
}

/** Tells whether policy lets the app open this USB device. */
export function isUsbDeviceAllowed(policy: Pick<MachinePolicy, 'allowedUsbDevices'>, device: UsbDeviceId): boolean {
  return findAllowedUsbDevice(policy, device) !== undefined;
}

/** Formats a USB id the way policy writes it, for log lines and error messages: `0x0c2e`. */
export function formatUsbId(id: number | string): string {
  const value = usbIdNumber(id);
  return value === undefined ? String(id) : `0x${value.toString(16).padStart(4, '0')}`;
}

/** Parses 3118, "0x0c2e", "0C2E" or "c2e" as the same 16-bit id, and anything else as undefined. */
function usbIdNumber(id: number | string): number | undefined {
  if (typeof id === 'number') return Number.isInteger(id) && id >= 0 && id <= 0xffff ? id : undefined;
  const match = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(id.trim());
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}

/**
 * Tells whether policy lets the app open this serial port. Windows port names compare without
 * case and with or without the `\\.\` device prefix (`COM3`, `\\.\com3`). Other platforms compare
 * paths exactly. Callers that follow symlinks such as /dev/serial/by-id/… check the resolved path
 * too, see `isSerialPortAllowedAt`.
 */
export function isSerialPortAllowed(policy: Pick<MachinePolicy, 'allowedSerialPorts'>, path: string, platform: NodeJS.Platform = process.platform): boolean {
  if (policy.allowedSerialPorts === undefined) return true;
  const requested = normalizeSerialPath(path, platform);
  return policy.allowedSerialPorts.some((allowed) => normalizeSerialPath(allowed, platform) === requested);
}

/**
 * Checks the port as configured and, when the path is a symlink, the device it points to, so
 * that IT may list either `/dev/ttyUSB0` or its stable `/dev/serial/by-id/…` name.
 */
export function isSerialPortAllowedAt(policy: Pick<MachinePolicy, 'allowedSerialPorts'>, path: string, resolvePath: (path: string) => string | undefined, platform: NodeJS.Platform = process.platform): boolean {
  if (isSerialPortAllowed(policy, path, platform)) return true;
  const resolved = resolvePath(path);
  if (resolved === undefined) return false;
  return (policy.allowedSerialPorts ?? []).some((allowed) => {
    const allowedResolved = resolvePath(allowed) ?? allowed;
    return normalizeSerialPath(allowedResolved, platform) === normalizeSerialPath(resolved, platform);
  });
}

function normalizeSerialPath(path: string, platform: NodeJS.Platform): string {
  const trimmed = path.trim();
  if (platform !== 'win32') return trimmed;
  return trimmed.replace(/^\\\\\.\\/, '').toUpperCase();
}
