/** A row-returning SQL statement's result, the common subset of `pg` and PGlite results. */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT on PGlite). */
  rowCount: number;
}

/** A connection that runs parameterised SQL: the database itself or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** Stops a LISTEN subscription. */
export type Unsubscribe = () => Promise<void>;

export interface ChannelListener {
  /** Called with the payload of every NOTIFY on the channel. */
  onNotification(payload: string): void;
  /**
   * Called after the listening connection was lost and opened again: notifications sent while it
   * was down are lost, so the listener must assume anything changed.
   */
  onReconnect(): void;
}

/**
 * The server's view of PostgreSQL: parameterised queries, transactions and LISTEN/NOTIFY. Two
 * implementations: a `pg` pool for a PostgreSQL server and PGlite, an embedded PostgreSQL.
 */
export interface Database extends Queryable {
  readonly kind: 'postgresql' | 'pglite';
  /**
   * Runs `work` inside BEGIN … COMMIT and returns its result. The transaction is rolled back when
   * `work` throws, and the error is re-thrown.
   */
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  listen(channel: string, listener: ChannelListener): Promise<Unsubscribe>;
  close(): Promise<void>;
}
