import type { IncomingMessage } from 'node:http';

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

/** Query parameters whose values may be a patient's name or MRN, such as the `q` of /patients/search. */
const REDACTED_QUERY_PARAMETERS = ['q'];

/** Returns the URL with the values of REDACTED_QUERY_PARAMETERS replaced by "[redacted]". */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  for (const name of REDACTED_QUERY_PARAMETERS) {
    if (query.has(name)) query.set(name, '[redacted]');
  }
  return `${url.slice(0, queryStart)}?${query.toString()}`;
}

/** The request as Fastify's request log serializes it, with fields that Fastify adds to Node's request. */
interface LoggedRequest extends IncomingMessage {
  host?: string;
  ip?: string;
}

/**
 * Replaces Fastify's `req` serializer (fastify/lib/logger-pino.js, Fastify 5) with one that keeps
 * the same fields but redacts the URL's query parameters that may contain patient data.
 */
export function withRequestSerializer(logger: Logger): Logger {
  return logger.child(
    {},
    {
      serializers: {
        req: (request: LoggedRequest) => ({
          method: request.method,
          url: redactUrl(request.url ?? ''),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
      },
    },
  );
}
