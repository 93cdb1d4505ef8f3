import type { ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';

import type { CollectionName } from '../../protocol/collections.js';
import { COLLECTION_NAMES } from '../../protocol/collections.js';
import { authenticate, sessionOf } from '../auth.js';
import type { ServerContext } from '../context.js';
import { describeErrorForLog } from '../errors.js';
import { findUserStatus } from '../users.js';

/** Changes arriving within this window go out as one resync event. */
export const RESYNC_DEBOUNCE_MS = 50;

/** Open event streams, so that closing the server can end them (they never end by themselves). */
export type OpenStreams = Set<ServerResponse>;

function writeEvent(response: ServerResponse, event: 'resync' | 'heartbeat', data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * `GET /sync/stream`: server-sent events telling the workstation when to pull (see StreamEvent in
 * sync/protocol/wire.ts). A resync for every collection goes out on connect, so that changes made
 * while the client was away are never missed.
 */
export function registerStreamRoute(app: FastifyInstance, context: ServerContext, openStreams: OpenStreams): void {
  // One live stream per workstation id (from the token) on this instance: a workstation that
  // reconnects replaces its older stream, and two replication loops on one replica cannot both
  // listen. NOTE: a stream on another instance of the same database is not closed.
  const streamByWorkstation = new Map<string, ServerResponse>();

  app.get('/sync/stream', { onRequest: (request) => authenticate(context, request) }, (request, reply) => {
    const session = sessionOf(request);
    reply.hijack();
    const response = reply.raw;
    const older = streamByWorkstation.get(session.workstationId);
    streamByWorkstation.set(session.workstationId, response);
    if (older && !older.writableEnded) {
      request.log.info({ workstationId: session.workstationId, userId: session.userId }, 'event stream replaced by a newer one of the same workstation; closing the older');
      older.end();
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Stops a reverse proxy such as nginx from buffering the events.
      'X-Accel-Buffering': 'no',
    });
    openStreams.add(response);
    writeEvent(response, 'resync', { collections: COLLECTION_NAMES });

    const pending = new Set<CollectionName>();
    let debounceTimer: NodeJS.Timeout | undefined;
    const unsubscribe = context.changeFeed.subscribe((collections) => {
      for (const collection of collections) pending.add(collection);
      debounceTimer ??= setTimeout(() => {
        debounceTimer = undefined;
        writeEvent(response, 'resync', { collections: COLLECTION_NAMES.filter((collection) => pending.has(collection)) });
        pending.clear();
      }, RESYNC_DEBOUNCE_MS);
    });
    const heartbeat = setInterval(() => writeEvent(response, 'heartbeat', { at: context.now().toISOString() }), context.heartbeatIntervalMs);

    // The stream of a user who is disabled or deleted while it is open is closed. The workstation's
    // reconnect then gets 403 user-disabled, or 401 for a deleted user.
    const closeUnlessActive = () => {
      findUserStatus(context.database, session.userId).then(
        (user) => {
          if (user.status === 'active' || response.writableEnded) return;
          request.log.info({ userId: session.userId, workstationId: session.workstationId, status: user.status }, 'event stream closed: user no longer active');
          response.end();
        },
        (error: unknown) => request.log.error({ err: describeErrorForLog(error), userId: session.userId }, 'reading the user status for an event stream failed; the stream stays open'),
      );
    };
    const unsubscribeUserStatus = context.userStatusFeed.subscribe((userId) => {
      if (userId === undefined || userId === session.userId) closeUnlessActive();
    });
    // The user may have been disabled after authenticate read the status and before the subscription.
    closeUnlessActive();

    request.log.info({ userId: session.userId, workstationId: session.workstationId, wardId: session.wardId }, 'event stream opened');
    response.on('close', () => {
      unsubscribe();
      unsubscribeUserStatus();
      clearTimeout(debounceTimer);
      clearInterval(heartbeat);
      openStreams.delete(response);
      if (streamByWorkstation.get(session.workstationId) === response) streamByWorkstation.delete(session.workstationId);
      request.log.info({ workstationId: session.workstationId }, 'event stream closed');
    });
  });
}
