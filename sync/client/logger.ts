import type { Logger as PinoLogger } from 'pino';

/** The logging calls the sync client makes; the core passes a pino child logger with redaction. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;
