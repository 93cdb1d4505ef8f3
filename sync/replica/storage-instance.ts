import type { RxJsonSchema, RxStorage, RxStorageInstance } from 'rxdb';

/** The storage, name and token of the replica's RxDB database. */
export interface ReplicaStorage {
  storage: RxStorage<unknown, unknown>;
  databaseName: string;
  databaseToken: string;
}

/**
 * Opens a storage instance of one collection of the replica, beside the one its RxDB collection
 * uses, for code that works on the collection's table without RxDB: the initial load and the
 * check of unsent rows. Close it when done.
 */
export function openStorageInstance<T>(replica: ReplicaStorage, collectionName: string, schema: RxJsonSchema<unknown>): Promise<RxStorageInstance<T, unknown, unknown>> {
  return replica.storage.createStorageInstance<T>({
    databaseName: replica.databaseName,
    collectionName,
    databaseInstanceToken: replica.databaseToken,
    multiInstance: false,
    options: {},
    schema: schema as never,
    devMode: false,
  });
}
