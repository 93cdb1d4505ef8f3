import { describe, expect, it } from 'vitest';

import { findAllowedUsbDevice, formatUsbId, isSerialPortAllowed, isSerialPortAllowedAt, isUsbDeviceAllowed } from '../../../main/core/device-policy.js';

const SCANNER = { vendorId: '0x0c2e', productId: '0x0b61', role: 'barcode-scanner' };

describe('USB device allow-list', () => {
  it('allows every device when policy sets no list', () => {
    expect(isUsbDeviceAllowed({}, { vendorId: 0x1234, productId: 0x5678 })).toBe(true);
    expect(findAllowedUsbDevice({}, { vendorId: 0x1234, productId: 0x5678 })).toBe('unrestricted');
  });

  it('allows no device for an empty list', () => {
    expect(isUsbDeviceAllowed({ allowedUsbDevices: [] }, { vendorId: 0x0c2e, productId: 0x0b61 })).toBe(false);
  });

  it('matches numeric ids from node-hid', () => {
    const policy = { allowedUsbDevices: [SCANNER] };

    expect(isUsbDeviceAllowed(policy, { vendorId: 0x0c2e, productId: 0x0b61 })).toBe(true);
    expect(findAllowedUsbDevice(policy, { vendorId: 3118, productId: 2913 })).toEqual(SCANNER);
  });

  it('matches hex strings in any case', () => {
    const policy = { allowedUsbDevices: [SCANNER] };

    expect(isUsbDeviceAllowed(policy, { vendorId: '0x0C2E', productId: '0B61' })).toBe(true);
  });

  it('rejects a device whose product id differs', () => {
    const policy = { allowedUsbDevices: [SCANNER] };

    expect(isUsbDeviceAllowed(policy, { vendorId: 0x0c2e, productId: 0x0b62 })).toBe(false);
  });

  it('rejects malformed ids', () => {
    const policy = { allowedUsbDevices: [SCANNER] };

    expect(isUsbDeviceAllowed(policy, { vendorId: 'scanner', productId: 0x0b61 })).toBe(false);
    expect(isUsbDeviceAllowed(policy, { vendorId: 0x1_0c2e, productId: 0x0b61 })).toBe(false);
  });

  it('formats ids as policy writes them', () => {
    expect(formatUsbId(3118)).toBe('0x0c2e');
    expect(formatUsbId('0C2E')).toBe('0x0c2e');
  });
});

describe('serial port allow-list', () => {
  it('allows every port when policy sets no list', () => {
    expect(isSerialPortAllowed({}, '/dev/ttyS0', 'linux')).toBe(true);
  });

  it('compares Linux paths exactly', () => {
    const policy = { allowedSerialPorts: ['/dev/ttyUSB0'] };

    expect(isSerialPortAllowed(policy, '/dev/ttyUSB0', 'linux')).toBe(true);
    expect(isSerialPortAllowed(policy, '/dev/ttyusb0', 'linux')).toBe(false);
    expect(isSerialPortAllowed(policy, '/dev/ttyUSB1', 'linux')).toBe(false);
  });

  it('compares Windows names without case or device prefix', () => {
    const policy = { allowedSerialPorts: ['COM3'] };

    expect(isSerialPortAllowed(policy, 'com3', 'win32')).toBe(true);
    expect(isSerialPortAllowed(policy, '\\\\.\\COM3', 'win32')).toBe(true);
    expect(isSerialPortAllowed(policy, 'COM4', 'win32')).toBe(false);
  });

  it('follows a symlink to the listed device', () => {
    const links: Record<string, string> = { '/dev/serial/by-id/usb-FTDI_A1': '/dev/ttyUSB0' };
    const resolvePath = (path: string) => links[path] ?? path;
    const policy = { allowedSerialPorts: ['/dev/ttyUSB0'] };

    expect(isSerialPortAllowedAt(policy, '/dev/serial/by-id/usb-FTDI_A1', resolvePath, 'linux')).toBe(true);
    expect(isSerialPortAllowedAt(policy, '/dev/ttyUSB1', resolvePath, 'linux')).toBe(false);
  });
});
