import { STATUS_CODES } from 'node:http';

import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodError } from 'zod';

/** An error whose message is safe to send to the client; the error handler sends it as it is. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra response headers, such as WWW-Authenticate on a 401. */
    readonly headers: Record<string, string> = {},
    /** The body's `error` field; the HTTP reason phrase ("Forbidden") when unset. */
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message: string) => new HttpError(404, message);

/** Shortens a client-supplied value for an error message. */
export function quoteValue(value: unknown, maxLength = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}

/**
 * Fields of an error that are safe to log. A PostgreSQL error's `detail` and `where` can quote
 * column values (patient data), so only its code and message are kept.
 */
export function describeErrorForLog(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(code === undefined ? {} : { code }), stack: error.stack };
}

/**
 * Sends every error as `{ error, message }` (errorResponse in sync/protocol/wire.ts). HttpErrors
 * and Fastify's own 4xx errors (malformed JSON, body too large) keep their message; anything else
 * is logged and sent as a generic 500.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const statusCode = error.statusCode ?? 500;
    if (error instanceof HttpError) {
      void reply
        .code(statusCode)
        .headers(error.headers)
        .send({ error: error.errorCode ?? STATUS_CODES[statusCode] ?? 'Error', message: error.message });
      return;
    }
    if (statusCode >= 400 && statusCode < 500) {
      void reply.code(statusCode).send({ error: STATUS_CODES[statusCode] ?? 'Error', message: error.message });
      return;
    }
    request.log.error({ err: describeErrorForLog(error) }, 'request failed');
    void reply.code(500).send({ error: 'Internal Server Error', message: `The server failed to handle the request; see the server log for request id ${request.id}` });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'Not Found', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}` });
  });
}

/** Lists a zod error's issues as `path: message` pairs for a 400 message. */
export function describeIssues(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}
