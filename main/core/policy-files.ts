import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

import type { PolicyReading } from './policy-document.js';
import { layersOfDocument } from './policy-document.js';

export interface PolicyFileOptions {
  /** The main policy file, `/etc/hms-workstation/policy.json` on Linux. */
  file: string;
  /** Folder of drop-in files (`*.json`) for configuration-management tools; read in lexical order. */
  dropInDirectory: string;
  /** Platform whose permission rules apply; file modes mean nothing on Windows, where ACLs protect the file. */
  platform: NodeJS.Platform;
  /** Owners a policy file may have; root only, except in tests. */
  trustedOwnerUids?: readonly number[];
}

/**
 * Reads the policy file and its drop-in folder. A file or folder that a user other than root could
 * write is ignored as a whole, because anyone who can write it could lift IT's restrictions. The
 * layers come back highest precedence first: the last drop-in file, then earlier ones, then the
 * main file.
 */
export function readPolicyFiles(options: PolicyFileOptions): PolicyReading {
  const reading: PolicyReading = { layers: [], problems: [] };
  const dropIns = readDropInFiles(options, reading);
  for (const path of [...dropIns].reverse()) appendFile(path, options, reading);
  appendFile(options.file, options, reading);
  return reading;
}

function readDropInFiles(options: PolicyFileOptions, reading: PolicyReading): string[] {
  const stats = statIfPresent(options.dropInDirectory);
  if (stats === undefined) return [];
  const refusal = writableByOthers(stats, options);
  if (refusal !== undefined) {
    reading.problems.push({ source: options.dropInDirectory, message: `${refusal}; every file in it is ignored. Fix: chown root ${options.dropInDirectory} && chmod 755 ${options.dropInDirectory}` });
    return [];
  }
  return readdirSync(options.dropInDirectory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(options.dropInDirectory, name));
}

function appendFile(path: string, options: PolicyFileOptions, reading: PolicyReading): void {
  const stats = statIfPresent(path);
  if (stats === undefined) return;
  const refusal = writableByOthers(stats, options);
  if (refusal !== undefined) {
    reading.problems.push({ source: path, message: `${refusal}; the file is ignored. Fix: chown root ${path} && chmod 644 ${path}` });
    return;
  }

  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    reading.problems.push({ source: path, message: `cannot be read as JSON (${(error as Error).message}); the file is ignored` });
    return;
  }
  const parsed = layersOfDocument(document, path);
  reading.layers.push(...parsed.layers);
  reading.problems.push(...parsed.problems);
}

function statIfPresent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read the policy at ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Says why a file or folder could be changed by someone other than root, or undefined when it cannot. */
function writableByOthers(stats: Stats, options: PolicyFileOptions): string | undefined {
  // NOTE: on Windows the file's ACL is not checked; IT must keep it writable by administrators only.
  if (options.platform === 'win32') return undefined;
  const trusted = options.trustedOwnerUids ?? [0];
  if (!trusted.includes(stats.uid)) return `is owned by uid ${stats.uid}, not root, so that user could rewrite IT's policy`;
  if ((stats.mode & 0o022) !== 0) return `is writable by its group or by others (mode ${(stats.mode & 0o777).toString(8).padStart(3, '0')})`;
  return undefined;
}
