/**
 * Kind of DICOMweb failure, so that a caller can tell "try again later" (`unreachable`,
 * `timeout`) from "fix the settings" (`unauthorized`) from "the PACS or this request is wrong"
 * (`status`, `invalid-response`).
 */
export type DicomWebFailure = 'unreachable' | 'timeout' | 'unauthorized' | 'status' | 'invalid-response';

/**
 * A failed QIDO-RS or WADO-RS request. The message names the service, the path and the HTTP
 * status. Query values are left out because a PatientID is one, so the message is safe to log.
 */
export class DicomWebError extends Error {
  override name = 'DicomWebError';

  constructor(
    message: string,
    readonly failure: DicomWebFailure,
    /** The request path under the DICOMweb root, with query keys but no query values. */
    readonly path: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
