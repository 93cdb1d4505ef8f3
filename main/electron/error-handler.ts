import type { Logger } from '../core/logging/logger.js';

export interface ErrorHandlerTargets {
  process: Pick<NodeJS.Process, 'on'>;
  logger: Logger;
  /** Shows a plain message to the user (dialog.showErrorBox in the app). */
  showError: (title: string, message: string) => void;
  /** Ends the app after a fatal error (app.exit in the app). */
  exit: (code: number) => void;
}

export const UNEXPECTED_ERROR_TITLE = 'HMS Workstation stopped';
export const UNEXPECTED_ERROR_MESSAGE =
  'HMS Workstation met an unexpected error and must close. What you entered and saved is kept on this workstation. Start it again; if this repeats, tell IT the time it happened.';

/**
 * Catches what nothing else caught in the main process: logs it (the logger redacts patient data)
 * and shows the user a plain message. An uncaught exception ends the app, because main's state is
 * unknown after it; an unhandled rejection is logged and the app goes on.
 */
export function installGlobalErrorHandlers(targets: ErrorHandlerTargets): void {
  targets.process.on('uncaughtException', (error: Error) => {
    targets.logger.fatal({ error: { name: error.name, message: error.message, stack: error.stack } }, 'uncaught exception in the main process');
    targets.showError(UNEXPECTED_ERROR_TITLE, UNEXPECTED_ERROR_MESSAGE);
    targets.exit(1);
  });
  targets.process.on('unhandledRejection', (reason: unknown) => {
    const error = reason instanceof Error ? { name: reason.name, message: reason.message, stack: reason.stack } : { message: String(reason) };
    targets.logger.error({ error }, 'unhandled promise rejection in the main process');
  });
}
