import type { Clock } from '../core/clock.js';
import { checkBusy } from './documentation-state.js';

export const BUSY_SWITCH = '--busy';

/** Reads `--data-dir=DIR` or `--data-dir DIR` from a command line. */
export function dataDirectoryArgument(argv: readonly string[]): string | undefined {
  for (const [index, argument] of argv.entries()) {
    if (argument.startsWith('--data-dir=')) return argument.slice('--data-dir='.length);
    if (argument === '--data-dir') return argv[index + 1];
  }
  return undefined;
}

/**
 * Runs `--busy` for either host: prints the verdict and returns the exit code, 0 only when it is
 * safe to install now and 1 otherwise, so that IT's deployment tools can wait before a silent push.
 */
export function runBusyCheck(options: { dataDirectory: string | undefined; clock: Clock; write: (text: string) => void }): number {
  if (options.dataDirectory === undefined) {
    // A deployment tool runs as SYSTEM or root, whose own profile folder says nothing about the nurse's session.
    options.write('busy: no shared data folder to check; set dataDirectory by policy or pass --data-dir=DIR\n');
    return 1;
  }
  const verdict = checkBusy({ dataDirectory: options.dataDirectory, now: options.clock.now() });
  options.write(`${verdict.safeToInstall ? 'safe to install' : 'busy'}: ${verdict.reason}\n`);
  return verdict.safeToInstall ? 0 : 1;
}
