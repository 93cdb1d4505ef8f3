import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { Ajv } from 'ajv';
import { FuseV1Options } from '@electron/fuses';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);

/** electron-builder.yml, checked against the JSON schema that electron-builder itself validates with. */
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;

describe('electron-builder configuration', () => {
  it('matches electron-builder\'s schema', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

    const valid = validate(config);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('builds the installers IT deploys', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
    expect((config.mac as { target: string[] }).target).toEqual(['dmg']);
    expect(config.appId).toBe('org.hms.workstation');
  });

  it('flips the fuses that close code-injection paths', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('sets every fuse of the wire, so a new one cannot go unnoticed', () => {
    // @electron/fuses lists the wire's fuses; electron-builder's keys are their names in camel case.
    const wire = Object.keys(FuseV1Options).filter((name) => Number.isNaN(Number(name)));
    const keys = wire.map((name) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`);

    expect(Object.keys(config.electronFuses as object).sort()).toEqual(keys.sort());
  });

  it('updates from the hospital\'s own server', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: '${env.HMS_UPDATE_FEED_URL}', channel: 'latest' }]);
  });

  it('installs per machine and keeps the replica on uninstall', () => {
    expect(config.nsis).toMatchObject({ perMachine: true, deleteAppDataOnUninstall: false, differentialPackage: 'store-asar' });
  });

  it('signs through the hospital\'s hook', () => {
    expect(config.win).toMatchObject({ signtoolOptions: { sign: 'build/scripts/sign-windows.cjs' } });
  });

  it('unpacks every native module from the ASAR', () => {
    const unpacked = (config.asarUnpack as string[]).join(' ');

    for (const native of ['better-sqlite3-multiple-ciphers', '@serialport/bindings-cpp', 'node-hid']) expect(unpacked).toContain(native);
  });

  it('packages what the build produces', () => {
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; devDependencies: Record<string, string> };

    expect(packageJson.main).toBe('dist/electron/main/main.js');
    expect(config.files).toContain('dist/electron/**/*');
    expect(config.files).toContain('dist/renderer/**/*');
    expect(packageJson.devDependencies.electron).toMatch(/^45\.\d+\.\d+$/);
  });
});
