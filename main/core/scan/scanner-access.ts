import type { HidDeviceInfo, ScannerAccess } from '../../../devices/hid-scanner/index.js';
import { findAllowedUsbDevice, formatUsbId } from '../device-policy.js';
import type { MachinePolicy } from '../policy.js';

/**
 * Applies IT's USB allow-list (policy key allowedUsbDevices) to a HID scanner. Without the key
 * every scanner may be opened. A scanner not on the list stays closed, and its reason names the
 * ids IT would add.
 */
export function scannerAccess(policy: Pick<MachinePolicy, 'allowedUsbDevices'>, device: Pick<HidDeviceInfo, 'vendorId' | 'productId'>): ScannerAccess {
  if (findAllowedUsbDevice(policy, device) !== undefined) return { allowed: true, reason: null };
  const ids = `vendorId ${formatUsbId(device.vendorId)}, productId ${formatUsbId(device.productId)}`;
  return { allowed: false, reason: `Not on IT's list of allowed USB devices (allowedUsbDevices). To use this scanner, ask IT to add ${ids}.` };
}
