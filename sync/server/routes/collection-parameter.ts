import type { CollectionName } from '../../protocol/collections.js';
import { COLLECTION_NAMES } from '../../protocol/collections.js';
import { collectionName } from '../../protocol/wire.js';
import { badRequest, quoteValue } from '../errors.js';

/** Reads the `:collection` route parameter; throws a 400 HttpError naming an unknown one. */
export function collectionParameter(params: unknown): CollectionName {
  const value = (params as { collection?: unknown }).collection;
  const parsed = collectionName.safeParse(value);
  if (!parsed.success) throw badRequest(`Unknown collection ${quoteValue(value)}: expected one of ${COLLECTION_NAMES.join(', ')}`);
  return parsed.data;
}
