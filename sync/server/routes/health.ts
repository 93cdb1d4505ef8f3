import type { FastifyInstance } from 'fastify';

import type { ServerContext } from '../context.js';
import { describeErrorForLog } from '../errors.js';

/** `GET /health/`: 200 when the database returns the result of `SELECT 1`, 503 otherwise. */
export function registerHealthRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/health/', async (request, reply) => {
    try {
      await context.database.query('SELECT 1');
      return { status: 'ok' };
    } catch (error) {
      request.log.error({ err: describeErrorForLog(error) }, 'health check failed: the database query failed');
      return reply.code(503).send({ status: 'unavailable', message: 'The database query failed; see the server log' });
    }
  });
}
