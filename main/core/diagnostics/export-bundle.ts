import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { create as createTar } from 'tar';

/** The parts of a diagnostics bundle besides the logs; each becomes one JSON file. */
export interface BundleContents {
  versions: unknown;
  effectivePolicy: unknown;
  replica: unknown;
  devices: unknown;
  crashDumps: unknown;
}

export interface WriteBundleOptions {
  contents: BundleContents;
  logDirectory: string;
  /** Folder the bundle is written to; created when missing. */
  outputDirectory: string;
  /** Stem of the bundle's file name, such as `hms-diagnostics-ws-1-20261205T0700Z`. */
  name: string;
  /**
   * Names, MRNs and other identifiers of the replica's patients. Logs are redacted when written,
   * and any of these found in a copied log line is masked as well, so that the bundle contains no
   * patient data even if a log line slipped through.
   */
  patientIdentifiers: readonly string[];
  /** Replaces MAX_LOG_BYTES, for tests. */
  maxLogBytes?: number;
}

export interface WrittenBundle {
  path: string;
  bytes: number;
  entries: string[];
}

/** Bundles kept in the output folder; older ones are deleted when a new one is written. */
export const BUNDLES_KEPT = 5;

/**
 * Bytes of log files a bundle takes, newest files first. Logs are kept 90 days at up to 50 MB a
 * file, which is too much to mail to a vendor; the rest is listed in `logs-omitted.json`.
 */
export const MAX_LOG_BYTES = 64 * 1024 * 1024;

/** Identifiers shorter than this are not masked: they would hit ordinary words and ids. */
const MIN_IDENTIFIER_LENGTH = 3;

/**
 * Writes a tar.gz of the logs (masked), the effective policy, versions, replica counts, devices and
 * the crash dump list, readable by its owner only. Crash dumps themselves stay out, since they hold
 * process memory.
 */
export async function writeDiagnosticsBundle(options: WriteBundleOptions): Promise<WrittenBundle> {
  const stage = mkdtempSync(join(tmpdir(), 'hms-diagnostics-'));
  try {
    const entries: string[] = [];
    const writeJson = (name: string, value: unknown) => {
      writeFileSync(join(stage, name), `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
      entries.push(name);
    };
    writeJson('versions.json', options.contents.versions);
    writeJson('effective-policy.json', options.contents.effectivePolicy);
    writeJson('replica.json', options.contents.replica);
    writeJson('devices.json', options.contents.devices);
    writeJson('crash-dumps.json', options.contents.crashDumps);

    mkdirSync(join(stage, 'logs'), { mode: 0o700 });
    const mask = identifierMask(options.patientIdentifiers);
    const { included, omitted } = chooseLogFiles(options.logDirectory, options.maxLogBytes ?? MAX_LOG_BYTES);
    for (const file of included) {
      const text = readFileSync(join(options.logDirectory, file), 'utf8');
      writeFileSync(join(stage, 'logs', file), mask(text), { mode: 0o600 });
      entries.push(`logs/${file}`);
    }
    if (omitted.length > 0) writeJson('logs-omitted.json', omitted);

    mkdirSync(options.outputDirectory, { recursive: true, mode: 0o700 });
    const path = join(options.outputDirectory, `${options.name}.tar.gz`);
    await createTar({ gzip: true, file: path, cwd: stage, portable: true }, entries);
    chmodSync(path, 0o600);
    removeOldBundles(options.outputDirectory, path);
    return { path, bytes: statSync(path).size, entries };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Deletes all but the newest BUNDLES_KEPT bundles, never the one just written. */
function removeOldBundles(directory: string, written: string): void {
  const bundles = readdirSync(directory)
    .filter((file) => file.startsWith('hms-diagnostics-') && file.endsWith('.tar.gz'))
    .map((file) => ({ path: join(directory, file), modified: statSync(join(directory, file)).mtimeMs }))
    .filter((bundle) => bundle.path !== written)
    .sort((a, b) => b.modified - a.modified);
  for (const bundle of bundles.slice(BUNDLES_KEPT - 1)) rmSync(bundle.path, { force: true });
}

/** Splits the log files into the newest ones that fit in `maxBytes` and the rest, each by name. */
function chooseLogFiles(directory: string, maxBytes: number): { included: string[]; omitted: string[] } {
  let files: { name: string; bytes: number; modified: number }[];
  try {
    files = readdirSync(directory)
      .filter((file) => file.endsWith('.log'))
      .map((file) => ({ file, stats: statSync(join(directory, file)) }))
      .filter(({ stats }) => stats.isFile())
      .map(({ file, stats }) => ({ name: file, bytes: stats.size, modified: stats.mtimeMs }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { included: [], omitted: [] };
    throw error;
  }

  const included: string[] = [];
  const omitted: string[] = [];
  let total = 0;
  for (const file of files.sort((a, b) => b.modified - a.modified)) {
    if (total + file.bytes > maxBytes) {
      omitted.push(file.name);
      continue;
    }
    total += file.bytes;
    included.push(file.name);
  }
  return { included: included.sort(), omitted: omitted.sort() };
}

/** Builds a function that replaces each whole-word occurrence of an identifier with `[patient]`. */
export function identifierMask(identifiers: readonly string[]): (text: string) => string {
  const words = [...new Set(identifiers.map((identifier) => identifier.trim()).filter((identifier) => identifier.length >= MIN_IDENTIFIER_LENGTH))];
  if (words.length === 0) return (text) => text;
  // Longer identifiers first, so that "Anna Maria" is masked whole before "Anna".
  words.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(pattern, '[patient]');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

