import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { policyFilePath, readMachinePolicy } from '../../../main/core/policy.js';
import { makeTempDirectory } from '../../support/replica.js';

describe('machine policy', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('policy');
  });

  afterEach(() => directory.remove());

  it('reads a valid policy file', () => {
    const path = join(directory.path, 'policy.json');
    writeFileSync(path, JSON.stringify({ dataDirectory: '/srv/hms', serverUrl: 'https://hms.hospital.example', wardId: 'ward-4a' }));

    expect(readMachinePolicy(path)).toEqual({ dataDirectory: '/srv/hms', serverUrl: 'https://hms.hospital.example', wardId: 'ward-4a' });
  });

  it('treats a missing file as no policy', () => {
    expect(readMachinePolicy(join(directory.path, 'absent.json'))).toEqual({});
  });

  it('names the file and the field of an invalid policy', () => {
    const path = join(directory.path, 'policy.json');
    writeFileSync(path, JSON.stringify({ serverUrl: 'ftp://hms', wardId: 'ward-4a' }));

    expect(() => readMachinePolicy(path)).toThrow(`The policy file ${path} is invalid: serverUrl: serverUrl must be an http:// or https:// URL; ask IT to correct it`);
  });

  it('rejects settings it does not know, so a typo is not ignored', () => {
    const path = join(directory.path, 'policy.json');
    writeFileSync(path, JSON.stringify({ datadirectory: '/srv/hms' }));

    expect(() => readMachinePolicy(path)).toThrow(/datadirectory/);
  });

  it('rejects a file that is not JSON', () => {
    const path = join(directory.path, 'policy.json');
    writeFileSync(path, 'dataDirectory = /srv/hms');

    expect(() => readMachinePolicy(path)).toThrow(/is not valid JSON/);
  });

  it('looks in a machine-wide folder on each platform', () => {
    expect(policyFilePath('linux', {})).toBe('/etc/hms-workstation/policy.json');
    expect(policyFilePath('darwin', {})).toBe('/Library/Application Support/HMS Workstation/policy.json');
    expect(policyFilePath('win32', { ProgramData: 'D:\\ProgramData' })).toBe(join('D:\\ProgramData', 'HMS Workstation', 'policy.json'));
  });
});
