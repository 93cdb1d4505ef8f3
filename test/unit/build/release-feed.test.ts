import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { publishRelease, setStagingPercentage, writeChannelFile } from '../../../build/scripts/release-feed.js';
import { makeTempDirectory } from '../../support/replica.js';

/** Writes what electron-builder leaves in its output folder for one Linux and one Windows build. */
function standInBuild(folder: string, version: string): void {
  mkdirSync(folder, { recursive: true });
  const artifacts = [`hms-workstation-setup-${version}.exe`, `hms-workstation-${version}.AppImage`];
  for (const name of artifacts) {
    writeFileSync(join(folder, name), `installer ${name}`);
    if (name.endsWith('.exe')) writeFileSync(join(folder, `${name}.blockmap`), `blockmap ${name}`);
  }
  const channel = (name: string) => {
    const sha512 = createHash('sha512').update(`installer ${name}`).digest('base64');
    return `version: ${version}\nfiles:\n  - url: ${name}\n    sha512: ${sha512}\n    size: 20\npath: ${name}\nsha512: ${sha512}\nreleaseDate: '2026-12-01T00:00:00.000Z'\n`;
  };
  writeFileSync(join(folder, 'latest.yml'), channel(artifacts[0] ?? ''));
  writeFileSync(join(folder, 'latest-linux.yml'), channel(artifacts[1] ?? ''));
  writeFileSync(join(folder, 'builder-debug.yml'), 'x64: {}\n');
}

describe('release feed', () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let feed: string;

  beforeEach(() => {
    directory = makeTempDirectory('release');
    feed = join(directory.path, 'feed');
    mkdirSync(feed);
  });

  afterEach(() => directory.remove());

  it('publishes installers, blockmaps and channel files', () => {
    standInBuild(join(directory.path, 'dist-1.2.0'), '1.2.0');

    const result = publishRelease({ distDirectory: join(directory.path, 'dist-1.2.0'), feedDirectory: feed });

    expect(result.channelFiles).toEqual(['latest-linux.yml', 'latest.yml']);
    expect(result.copied.sort()).toEqual(['hms-workstation-1.2.0.AppImage', 'hms-workstation-setup-1.2.0.exe', 'hms-workstation-setup-1.2.0.exe.blockmap']);
    expect(existsSync(join(feed, 'builder-debug.yml'))).toBe(false);
    expect((parse(readFileSync(join(feed, 'latest.yml'), 'utf8')) as { version: string }).version).toBe('1.2.0');
  });

  it('keeps earlier blockmaps on the next release', () => {
    standInBuild(join(directory.path, 'dist-1.2.0'), '1.2.0');
    standInBuild(join(directory.path, 'dist-1.3.0'), '1.3.0');
    publishRelease({ distDirectory: join(directory.path, 'dist-1.2.0'), feedDirectory: feed });

    publishRelease({ distDirectory: join(directory.path, 'dist-1.3.0'), feedDirectory: feed });

    expect(existsSync(join(feed, 'hms-workstation-setup-1.2.0.exe.blockmap'))).toBe(true);
    expect(existsSync(join(feed, 'hms-workstation-setup-1.3.0.exe.blockmap'))).toBe(true);
    expect((parse(readFileSync(join(feed, 'latest.yml'), 'utf8')) as { version: string }).version).toBe('1.3.0');
  });

  it('rejects republishing a version with other bytes', () => {
    standInBuild(join(directory.path, 'dist-1.2.0'), '1.2.0');
    publishRelease({ distDirectory: join(directory.path, 'dist-1.2.0'), feedDirectory: feed });
    writeFileSync(join(directory.path, 'dist-1.2.0', 'hms-workstation-setup-1.2.0.exe'), 'rebuilt');

    expect(() => publishRelease({ distDirectory: join(directory.path, 'dist-1.2.0'), feedDirectory: feed })).toThrow(/exists with other content; publish the fix as a higher version/);
  });

  it('republishes identical bytes quietly', () => {
    standInBuild(join(directory.path, 'dist-1.2.0'), '1.2.0');
    publishRelease({ distDirectory: join(directory.path, 'dist-1.2.0'), feedDirectory: feed });

    expect(publishRelease({ distDirectory: join(directory.path, 'dist-1.2.0'), feedDirectory: feed }).copied).toEqual([]);
  });

  it('raises the staging percentage', () => {
    standInBuild(join(directory.path, 'dist-1.3.0'), '1.3.0');
    publishRelease({ distDirectory: join(directory.path, 'dist-1.3.0'), feedDirectory: feed });

    setStagingPercentage({ feedDirectory: feed, channelFile: 'latest.yml', percentage: 10 });
    setStagingPercentage({ feedDirectory: feed, channelFile: 'latest.yml', percentage: 40 });

    const channel = parse(readFileSync(join(feed, 'latest.yml'), 'utf8')) as { version: string; stagingPercentage: number; files: { url: string }[] };
    expect(channel.stagingPercentage).toBe(40);
    expect(channel.version).toBe('1.3.0');
    expect(channel.files[0]?.url).toBe('hms-workstation-setup-1.3.0.exe');
    expect(() => setStagingPercentage({ feedDirectory: feed, channelFile: 'latest.yml', percentage: 101 })).toThrow('Invalid staging percentage 101: use a whole number from 0 to 100');
  });

  it('writes a pilot channel file', () => {
    standInBuild(join(directory.path, 'dist-1.3.0'), '1.3.0');
    publishRelease({ distDirectory: join(directory.path, 'dist-1.3.0'), feedDirectory: feed });
    setStagingPercentage({ feedDirectory: feed, channelFile: 'latest-linux.yml', percentage: 10 });

    writeChannelFile({ feedDirectory: feed, from: 'latest-linux.yml', to: 'pilot-ward-linux.yml' });

    const pilot = parse(readFileSync(join(feed, 'pilot-ward-linux.yml'), 'utf8')) as { version: string; stagingPercentage?: number; path: string };
    expect(pilot.version).toBe('1.3.0');
    expect(pilot.path).toBe('hms-workstation-1.3.0.AppImage');
    expect(pilot.stagingPercentage).toBeUndefined();
    expect(() => writeChannelFile({ feedDirectory: feed, from: 'latest-linux.yml', to: 'Pilot.yml' })).toThrow(/Invalid channel file name "Pilot.yml"/);
  });

  it('fails without channel files', () => {
    mkdirSync(join(directory.path, 'empty'));

    expect(() => publishRelease({ distDirectory: join(directory.path, 'empty'), feedDirectory: feed })).toThrow(/No channel file/);
  });
});
