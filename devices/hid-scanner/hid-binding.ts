import type * as NodeHid from 'node-hid';

/**
 * The part of node-hid 3 that the scanner watch uses, as an interface so that tests can pass a
 * fake device that emits recorded reports.
 */

/** A HID interface as node-hid's `devicesAsync` lists it. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release?: number;
  interface?: number;
  /** Set on Windows and macOS, and on Linux with node-hid's default hidraw driver (not with libusb). */
  usagePage?: number | undefined;
  usage?: number | undefined;
}

/** An open HID interface: node-hid's `HIDAsync`, which emits `data` for each input report once listened to. */
export interface HidConnection {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<void> | void;
}

export interface HidBinding {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidConnection>;
}

/**
 * Loads node-hid and wraps it. The import is deferred so that a workstation where the native
 * module cannot load still starts, with HID scanners reported as unavailable.
 */
export async function loadNodeHid(): Promise<HidBinding> {
  const module = (await import('node-hid')) as typeof NodeHid & { default?: typeof NodeHid };
  const hid = module.default ?? module;
  return {
    devices: () => hid.devicesAsync(),
    // Non-exclusive leaves the scanner usable by other programs; node-hid 3 applies the flag on macOS only.
    open: (path) => hid.HIDAsync.open(path, { nonExclusive: true }),
  };
}
