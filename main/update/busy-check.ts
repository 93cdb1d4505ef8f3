import type { Clock } from '../core/clock.js';
import { checkBusy } from './documentation-state.js';

export const BUSY_SWITCH = '--busy';

/**
 * Runs `--busy` for either host: prints the verdict and returns the exit code, 0 only when it is
 * safe to install now and 1 otherwise, so that IT's deployment tools can wait before a silent push.
 */
export function runBusyCheck(options: { dataDirectory: string; clock: Clock; write: (text: string) => void }): number {
  const verdict = checkBusy({ dataDirectory: options.dataDirectory, now: options.clock.now() });
  options.write(`${verdict.safeToInstall ? 'safe to install' : 'busy'}: ${verdict.reason}\n`);
  return verdict.safeToInstall ? 0 : 1;
}
