import pg from 'pg';
import type { Logger } from 'pino';

import type { ChannelListener, Database, Queryable, QueryResult, Unsubscribe } from './types.js';

const RECONNECT_DELAY_MIN_MS = 500;
const RECONNECT_DELAY_MAX_MS = 10_000;

function toResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}

function queryableOf(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, parameters: readonly unknown[] = []) {
      return toResult<Row>(await client.query(sql, [...parameters]));
    },
  };
}

/**
 * Keeps one dedicated connection in LISTEN on a channel, outside the pool because a pooled
 * connection is shared between requests. A lost connection is opened again with a growing delay.
 */
class ChannelSubscription {
  #client: pg.Client | undefined;
  #stopped = false;
  #reconnectDelayMs = RECONNECT_DELAY_MIN_MS;
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly listener: ChannelListener,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.listener.onNotification(message.payload ?? '');
    });
    client.on('error', (error) => this.#onConnectionLost(client, error));
    client.on('end', () => this.#onConnectionLost(client, undefined));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    this.#client = client;
    this.#reconnectDelayMs = RECONNECT_DELAY_MIN_MS;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end();
  }

  #onConnectionLost(client: pg.Client, error: Error | undefined): void {
    if (this.#stopped || this.#client !== client) return;
    this.#client = undefined;
    this.logger.error({ channel: this.channel, err: error?.message }, 'LISTEN connection lost; reconnecting');
    client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delayMs = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delayMs * 2, RECONNECT_DELAY_MAX_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.start()
        .then(() => {
          this.logger.info({ channel: this.channel }, 'LISTEN connection restored');
          this.listener.onReconnect();
        })
        .catch((error: unknown) => {
          this.logger.error({ channel: this.channel, err: (error as Error).message, retryInMs: this.#reconnectDelayMs }, 'LISTEN reconnect failed');
          if (!this.#stopped) this.#scheduleReconnect();
        });
    }, delayMs);
  }
}

/** Opens a `pg` pool on a PostgreSQL server. */
export async function openPostgresDatabase(connectionString: string, logger: Logger): Promise<Database> {
  const pool = new pg.Pool({ connectionString });
  // An idle pooled connection that the server closes emits 'error' on the pool; without a handler
  // Node ends the process. The pool drops that connection and opens another when needed.
  pool.on('error', (error) => logger.error({ err: error.message }, 'idle PostgreSQL connection failed'));
  const subscriptions = new Set<ChannelSubscription>();
  let closing: Promise<void> | undefined;

  // Fail at start, not at the first request, when the server cannot be reached.
  await pool.query('SELECT 1');

  return {
    kind: 'postgresql',
    query: queryableOf(pool).query,

    async transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(queryableOf(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
          client.release();
        } catch (rollbackError) {
          // The connection is in an unknown state: destroy it instead of returning it to the pool.
          client.release(rollbackError as Error);
        }
        throw error;
      }
    },

    async listen(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
      const subscription = new ChannelSubscription(connectionString, channel, listener, logger);
      await subscription.start();
      subscriptions.add(subscription);
      return async () => {
        subscriptions.delete(subscription);
        await subscription.stop();
      };
    },

    close(): Promise<void> {
      // pool.end() throws when called twice; a second close waits for the first.
      closing ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
        subscriptions.clear();
        await pool.end();
      })();
      return closing;
    },
  };
}
