import { readFile } from 'node:fs/promises';

import type { AnalyzerProfile } from '../profiles/index.js';
import { checkTimeZone, ResultMappingError } from '../results/index.js';
import { INSPECT_USAGE, readInspectArguments } from './inspect/arguments.js';
import { inspectCapture, ProfileMismatchError } from './inspect/inspect-capture.js';
import { loadRequestedProfile } from './inspect/profile-choice.js';

const EXIT_VALID = 0;
const EXIT_ERRORS = 1;
const EXIT_USAGE = 2;

/**
 * `hms-lab inspect [--profile ID|FILE] [--time-zone ZONE] FILE`: decodes a capture and prints, as
 * JSON on stdout, what the workstation would make of it. Returns the exit status: 0 when the
 * capture is valid, 1 when it has errors, 2 when the arguments are wrong (the message, on stderr,
 * names the argument and the fix).
 */
export async function runInspectCommand(args: string[]): Promise<number> {
  const reading = readInspectArguments(args);
  if (reading.kind === 'help') {
    process.stdout.write(INSPECT_USAGE);
    return EXIT_VALID;
  }
  if (reading.kind === 'invalid') return usageError(reading.message);

  const { file, timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone } = reading.arguments;
  try {
    checkTimeZone(timeZone);
  } catch (error) {
    if (error instanceof ResultMappingError) return usageError(`--time-zone: ${error.message}`);
    throw error;
  }

  let profile: AnalyzerProfile | undefined;
  if (reading.arguments.profile !== undefined) {
    const loaded = await loadRequestedProfile(reading.arguments.profile);
    if (!loaded.ok) return usageError(loaded.message);
    profile = loaded.profile;
  }

  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return usageError(`FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path and that the workstation user may read it`);
  }

  try {
    const report = inspectCapture(bytes, { file, timeZone, ...(profile ? { profile } : {}) });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.valid ? EXIT_VALID : EXIT_ERRORS;
  } catch (error) {
    if (error instanceof ProfileMismatchError) return usageError(error.message);
    throw error;
  }
}

function usageError(message: string): number {
  process.stderr.write(`hms-lab inspect: ${message}\n\n${INSPECT_USAGE}`);
  return EXIT_USAGE;
}
