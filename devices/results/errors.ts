export type ResultMappingErrorCode = 'invalid-time-zone' | 'profile-protocol-mismatch' | 'invalid-part';

/**
 * A mapping context that cannot be used. Problems in the message itself never throw: they become
 * review reasons or warnings on the results.
 */
export class ResultMappingError extends Error {
  override readonly name = 'ResultMappingError';

  constructor(
    readonly code: ResultMappingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
