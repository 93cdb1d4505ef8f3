import { EventEmitter } from 'node:events';

import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { installGlobalErrorHandlers, UNEXPECTED_ERROR_MESSAGE } = await import('../../../main/electron/error-handler.js');

function targets() {
  const process = new EventEmitter();
  const logger = { fatal: vi.fn(), error: vi.fn() };
  const showError = vi.fn();
  const exit = vi.fn();
  installGlobalErrorHandlers({ process: process as never, logger: logger as never, showError, exit });
  return { process, logger, showError, exit };
}

describe('global error handler', () => {
  it('logs an uncaught exception, tells the user plainly and exits', () => {
    const { process, logger, showError, exit } = targets();

    process.emit('uncaughtException', new Error('database disk image is malformed'));

    expect(logger.fatal).toHaveBeenCalledWith(
      { error: expect.objectContaining({ name: 'Error', message: 'database disk image is malformed' }) },
      'uncaught exception in the main process',
    );
    expect(showError).toHaveBeenCalledWith('HMS Workstation stopped', UNEXPECTED_ERROR_MESSAGE);
    expect(UNEXPECTED_ERROR_MESSAGE).not.toContain('database disk image');
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('logs an unhandled rejection and goes on', () => {
    const { process, logger, exit } = targets();

    process.emit('unhandledRejection', new Error('timed out'));

    expect(logger.error).toHaveBeenCalledOnce();
    expect(exit).not.toHaveBeenCalled();
  });
});
