import type { Logger, LoggerOptions as PinoOptions } from 'pino';
import { pino } from 'pino';

/**
 * Loggers with redaction built in: every component gets a child logger, and fields that could carry
 * patient data or secrets are censored whatever the call site passes. Log ids and counts; this list
 * is the safety net, not the habit.
 */
const REDACTED_PATHS = [
  'password',
  'token',
  'authorization',
  '*.password',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'resource',
  '*.resource',
  'name',
  '*.name',
  'mrn',
  '*.mrn',
  'birthDate',
  '*.birthDate',
  // FHIR Patient elements, should a call site pass a patient's parts instead of the whole resource.
  'family',
  '*.family',
  'given',
  '*.given',
  'identifier',
  '*.identifier',
  'telecom',
  '*.telecom',
  'address',
  '*.address',
  'observations',
  '*.observations',
  'input',
  '*.input',
];

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Write to this file instead of standard output. */
  destination?: string;
}

/** Levels: error (an operator must act), warn, info, debug; HMS_LOG_LEVEL overrides the default info. */
export function loggerOptions(level?: string): PinoOptions {
  return {
    level: level ?? process.env.HMS_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { app: 'hms-workstation' },
  };
}

export function createRootLogger(options: LoggerOptions = {}): Logger {
  return pino(
    loggerOptions(options.level),
    // Synchronous writes: the line logged just before a fatal exit must reach the file.
    options.destination ? pino.destination({ dest: options.destination, mkdir: true, sync: true }) : undefined,
  );
}

/** Creates a logger for one component. Its lines carry `component` so an operator can filter them. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
