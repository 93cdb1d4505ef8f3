import { mkdirSync } from 'node:fs';

import type { App, CrashReporter } from 'electron';

import { pruneCrashDumps } from '../core/diagnostics/crash-dumps.js';
import type { Logger } from '../core/logging/logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface LocalCrashReportOptions {
  app: Pick<App, 'setPath'>;
  crashReporter: Pick<CrashReporter, 'start'>;
  directory: string;
  retentionDays: number;
  now: () => Date;
  logger?: Pick<Logger, 'info'>;
}

/**
 * Starts Crashpad with dumps kept in `directory` and never uploaded, then deletes dumps older than
 * the policy's retention at once and daily. Call it before the app is ready, so that the first
 * renderers are covered. The system crash handler (Windows Error Reporting) is bypassed, since it
 * may send dumps, and with them patient data, off the machine.
 */
export function startLocalCrashReports(options: LocalCrashReportOptions): { stop(): void } {
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  options.app.setPath('crashDumps', options.directory);
  options.crashReporter.start({ uploadToServer: false, ignoreSystemCrashHandler: true, compress: true });

  const prune = () => {
    const removed = pruneCrashDumps(options.directory, options.retentionDays, options.now());
    if (removed.length > 0) options.logger?.info({ removed: removed.length, retentionDays: options.retentionDays }, 'deleted expired crash dumps');
  };
  prune();
  const timer = setInterval(prune, DAY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
