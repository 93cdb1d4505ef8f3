import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { parse, stringify } from 'yaml';

/** Channel file names electron-updater 6 fetches: `<channel>.yml`, `<channel>-linux.yml`, `<channel>-mac.yml`. */
const CHANNEL_FILE = /^([a-z0-9][a-z0-9-]{0,31}?)(-linux|-linux-arm64|-mac)?\.yml$/;

interface ChannelFile {
  version: string;
  path?: string;
  files?: { url: string }[];
  stagingPercentage?: number;
  [key: string]: unknown;
}

function readChannelFile(path: string): ChannelFile {
  const content = parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof content !== 'object' || content === null || typeof (content as ChannelFile).version !== 'string') {
    throw new Error(`${path} is not an electron-builder channel file: it has no version`);
  }
  return content as ChannelFile;
}

/** Writes through a temporary file renamed into place, so a client never fetches half a channel file. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Names the files a channel file points to: its installers and their blockmaps. */
function referencedFiles(channel: ChannelFile): string[] {
  const names = new Set<string>();
  for (const file of channel.files ?? []) names.add(file.url);
  if (channel.path !== undefined) names.add(channel.path);
  return [...names].flatMap((name) => [name, `${name}.blockmap`]);
}

/**
 * Copies a build's installers, blockmaps and channel files from electron-builder's output folder
 * to the feed folder. Artifacts go first and channel files last, so a client never sees a
 * channel file that points at a missing installer. Nothing in the feed is deleted, because a
 * differential download fetches the blockmap of the version the client runs. An installer that
 * exists in the feed with other bytes is rejected: a fixed release needs a higher version, since
 * clients that took the old bytes would keep them.
 */
export function publishRelease(options: { distDirectory: string; feedDirectory: string }): { copied: string[]; channelFiles: string[] } {
  // electron-builder also writes builder-debug.yml, which is no channel file.
  const channelFiles = readdirSync(options.distDirectory).filter((name) => CHANNEL_FILE.test(name) && name !== 'builder-debug.yml').sort();
  if (channelFiles.length === 0) throw new Error(`No channel file (latest.yml, latest-linux.yml, …) in ${options.distDirectory}; run electron-builder first`);

  const copied: string[] = [];
  for (const channelName of channelFiles) {
    for (const name of referencedFiles(readChannelFile(join(options.distDirectory, channelName)))) {
      const source = join(options.distDirectory, name);
      if (!existsSync(source)) {
        if (name.endsWith('.blockmap')) continue;
        throw new Error(`${channelName} names ${name}, which is not in ${options.distDirectory}`);
      }
      const target = join(options.feedDirectory, basename(name));
      if (existsSync(target)) {
        if (!readFileSync(target).equals(readFileSync(source))) throw new Error(`${target} exists with other content; publish the fix as a higher version instead of replacing ${name}`);
        continue;
      }
      copyFileSync(source, target);
      copied.push(name);
    }
  }
  for (const channelName of channelFiles) writeAtomically(join(options.feedDirectory, channelName), readFileSync(join(options.distDirectory, channelName), 'utf8'));
  return { copied, channelFiles };
}

/**
 * Sets `stagingPercentage` in a published channel file without rebuilding. Machines take the
 * release once the percentage exceeds their ring × 10; 100 releases it to all.
 */
export function setStagingPercentage(options: { feedDirectory: string; channelFile: string; percentage: number }): void {
  if (!Number.isInteger(options.percentage) || options.percentage < 0 || options.percentage > 100) {
    throw new Error(`Invalid staging percentage ${options.percentage}: use a whole number from 0 to 100`);
  }
  const path = join(options.feedDirectory, options.channelFile);
  const channel = readChannelFile(path);
  channel.stagingPercentage = options.percentage;
  writeAtomically(path, stringify(channel));
}

/**
 * Writes a channel file of another name, such as `pilot-ward-linux.yml`, offering the release of an
 * existing one, so a pilot ward's machines (policy updateChannel) get it before everyone else.
 */
export function writeChannelFile(options: { feedDirectory: string; from: string; to: string }): void {
  if (!CHANNEL_FILE.test(options.to)) throw new Error(`Invalid channel file name "${options.to}": use lower-case letters, digits and dashes, then .yml, -linux.yml or -mac.yml`);
  const channel = readChannelFile(join(options.feedDirectory, options.from));
  delete channel.stagingPercentage;
  writeAtomically(join(options.feedDirectory, options.to), stringify(channel));
}
