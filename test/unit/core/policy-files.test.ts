import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { readPolicyFiles } from '../../../main/core/policy-files.js';
import { makeTempDirectory } from '../../support/replica.js';
import { copyLinuxPolicy, TEST_OWNER } from './policy-support.js';

describe('policy files', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('policy-files');
  });

  afterEach(() => directory.remove());

  it('reads drop-ins before the main file, last first', () => {
    const options = copyLinuxPolicy(directory.path);

    const reading = readPolicyFiles(options);

    expect(reading.layers.map((layer) => [layer.source, layer.level])).toEqual([
      [join(options.dropInDirectory, '20-typos.json'), 'mandatory'],
      [join(options.dropInDirectory, '10-pilot-ward.json'), 'mandatory'],
      [options.file, 'mandatory'],
      [options.file, 'recommended'],
    ]);
    expect(reading.problems).toEqual([]);
  });

  it('ignores a group-writable file loudly', () => {
    const options = copyLinuxPolicy(directory.path);
    chmodSync(options.file, 0o664);

    const reading = readPolicyFiles(options);

    expect(reading.layers.map((layer) => layer.source)).not.toContain(options.file);
    expect(reading.problems).toEqual([
      { source: options.file, message: `is writable by its group or by others (mode 664); the file is ignored. Fix: chown root ${options.file} && chmod 644 ${options.file}` },
    ]);
  });

  it('ignores a world-writable file', () => {
    const options = copyLinuxPolicy(directory.path);
    chmodSync(join(options.dropInDirectory, '10-pilot-ward.json'), 0o646);

    const reading = readPolicyFiles(options);

    expect(reading.layers.map((layer) => layer.source)).not.toContain(join(options.dropInDirectory, '10-pilot-ward.json'));
    expect(reading.problems[0]?.message).toMatch(/^is writable by its group or by others \(mode 646\)/);
  });

  it('ignores a file not owned by root', () => {
    const options = { ...copyLinuxPolicy(directory.path), trustedOwnerUids: [TEST_OWNER + 1] };

    const reading = readPolicyFiles(options);

    expect(reading.layers).toEqual([]);
    expect(reading.problems.map((problem) => problem.source)).toEqual([options.dropInDirectory, options.file]);
    expect(reading.problems[1]?.message).toMatch(new RegExp(`^is owned by uid ${TEST_OWNER}, not root`));
  });

  it('ignores every drop-in of a writable folder', () => {
    const options = copyLinuxPolicy(directory.path);
    chmodSync(options.dropInDirectory, 0o777);

    const reading = readPolicyFiles(options);

    expect(reading.layers.map((layer) => layer.source)).toEqual([options.file, options.file]);
    expect(reading.problems[0]?.message).toMatch(/every file in it is ignored/);
  });

  it('skips permission checks on Windows', () => {
    const options = copyLinuxPolicy(directory.path);
    chmodSync(options.file, 0o666);

    const reading = readPolicyFiles({ ...options, platform: 'win32', trustedOwnerUids: [TEST_OWNER + 1] });

    expect(reading.problems).toEqual([]);
    expect(reading.layers).toHaveLength(4);
  });

  it('reads nothing when files are absent', () => {
    const reading = readPolicyFiles({ file: join(directory.path, 'policy.json'), dropInDirectory: join(directory.path, 'policy.d'), platform: 'linux', trustedOwnerUids: [TEST_OWNER] });

    expect(reading).toEqual({ layers: [], problems: [] });
  });

  it('reads a flat file as mandatory', () => {
    const file = join(directory.path, 'policy.json');
    writeFileSync(file, JSON.stringify({ wardId: 'ward-4a' }), { mode: 0o644 });
    chmodSync(file, 0o644);

    const reading = readPolicyFiles({ file, dropInDirectory: join(directory.path, 'policy.d'), platform: 'linux', trustedOwnerUids: [TEST_OWNER] });

    expect(reading.layers).toEqual([{ level: 'mandatory', source: file, values: { wardId: 'ward-4a' } }]);
  });

  it('ignores invalid JSON and unknown schema versions', () => {
    const dropIns = join(directory.path, 'policy.d');
    mkdirSync(dropIns, { mode: 0o755 });
    chmodSync(dropIns, 0o755);
    const file = join(directory.path, 'policy.json');
    writeFileSync(file, '{ "mandatory": ');
    writeFileSync(join(dropIns, '10.json'), JSON.stringify({ schemaVersion: 2, mandatory: { logLevel: 'debug' } }));
    writeFileSync(join(dropIns, '20.json'), JSON.stringify({ mandatory: [], extra: 1 }));
    for (const path of [file, join(dropIns, '10.json'), join(dropIns, '20.json')]) chmodSync(path, 0o644);

    const reading = readPolicyFiles({ file, dropInDirectory: dropIns, platform: 'linux', trustedOwnerUids: [TEST_OWNER] });

    expect(reading.layers).toEqual([]);
    expect(reading.problems.map((problem) => problem.message)).toEqual([
      'unknown top-level key "extra" ignored; policy keys go inside "mandatory" or "recommended"',
      '"mandatory" must be a JSON object; it is ignored',
      'schemaVersion 2 is not supported (this version reads 1); the whole source is ignored',
      expect.stringMatching(/^cannot be read as JSON \(.+\); the file is ignored$/),
    ]);
  });
});
