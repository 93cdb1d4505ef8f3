import { describe, expect, it } from 'vitest';

import { transportSettingsSchema } from '../../../../devices/transport/index.js';

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = transportSettingsSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('transport settings', () => {
  it('fills serial defaults', () => {
    const settings = transportSettingsSchema.parse({ kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 });

    expect(settings).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 9600,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      flowControl: 'none',
      assertDtr: true,
      reconnect: { initialDelayMs: 1_000, maxDelayMs: 30_000 },
    });
  });

  it('binds a server to 127.0.0.1 by default', () => {
    const settings = transportSettingsSchema.parse({ kind: 'tcp-server', port: 5100 });

    expect(settings).toMatchObject({ host: '127.0.0.1', whenBusy: 'reject-new', allowedAddresses: [] });
  });

  it('names each invalid serial setting', () => {
    const issues = issuesOf({ kind: 'serial', path: '', baudRate: 9600.5, dataBits: 9, parity: 'EVEN', stopBits: 3, flowControl: 'hardware' });

    expect(issues.map((issue) => issue.path).sort()).toEqual(['baudRate', 'dataBits', 'flowControl', 'parity', 'path', 'stopBits']);
    expect(issues.find((issue) => issue.path === 'dataBits')?.message).toBe('must be 5, 6, 7 or 8');
    expect(issues.find((issue) => issue.path === 'flowControl')?.message).toBe('must be "none", "rts-cts" or "xon-xoff"');
  });

  it('rejects unknown keys', () => {
    const issues = issuesOf({ kind: 'serial', path: 'COM3', baudRate: 9600, baudrate: 9600 });

    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/baudrate/);
  });

  it('rejects an unknown kind', () => {
    expect(issuesOf({ kind: 'usb', path: 'COM3' })).toEqual([{ path: 'kind', message: 'must be "serial", "tcp-client" or "tcp-server"' }]);
  });

  it('rejects a backoff that shrinks', () => {
    const issues = issuesOf({ kind: 'tcp-client', host: '127.0.0.1', port: 5000, reconnect: { initialDelayMs: 5_000, maxDelayMs: 1_000 } });

    expect(issues).toEqual([{ path: 'reconnect.maxDelayMs', message: 'maxDelayMs must be at least initialDelayMs' }]);
  });

  it('rejects a client port out of range', () => {
    expect(issuesOf({ kind: 'tcp-client', host: '127.0.0.1', port: 70_000 })[0]?.path).toBe('port');
    expect(issuesOf({ kind: 'tcp-client', host: '127.0.0.1', port: 0 })[0]?.path).toBe('port');
  });
});
