import { createRequire } from 'node:module';

import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type * as NodeHid from 'node-hid';
import type * as SerialPortModule from 'serialport';
import { describe, expect, it } from 'vitest';

/**
 * Loads every native module the product uses, so that a broken native build fails here and not on
 * a ward. Each is loaded through `require`, as the core loads them.
 */
const require = createRequire(import.meta.url);

describe('native modules', () => {
  it('loads better-sqlite3-multiple-ciphers and runs a query', () => {
    const Database = require('better-sqlite3-multiple-ciphers') as typeof BetterSqlite3;
    const database = new Database(':memory:');

    expect(database.prepare('SELECT sqlite_version() AS version').get()).toMatchObject({ version: expect.stringMatching(/^3\.\d+\.\d+$/) });
    database.close();
  });

  it('loads serialport and lists ports', async () => {
    const { SerialPort } = require('serialport') as typeof SerialPortModule;

    expect(Array.isArray(await SerialPort.list())).toBe(true);
  });

  it('loads node-hid and lists devices', () => {
    const HID = require('node-hid') as typeof NodeHid;

    expect(Array.isArray(HID.devices())).toBe(true);
  });
});
