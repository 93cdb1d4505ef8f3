import { pino } from 'pino';
import type { Level, Logger } from 'pino';

/**
 * Paths that pino replaces with "[redacted]" wherever they appear in a log line. Fastify's request
 * log names the method, URL and address but no headers; the paths guard any line that adds them.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'request.headers.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
];

/**
 * Creates the server's logger. Lines carry ids and counts only: no patient name, identifier or
 * clinical value, no password and no token.
 */
export function createLogger(level: Level | 'silent' = 'info'): Logger {
  return pino({
    level,
    base: { service: 'hms-sync-server' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
