/**
 * Error codes every API call can reject with. The gateway maps each failure to one of them so the
 * renderer can react without parsing messages: the sign-in screen on `unauthenticated`, the lock
 * screen on `locked`, a field error on `invalid-input`.
 */
export const API_ERROR_CODES = [
  'invalid-input',
  'unauthenticated',
  'locked',
  'forbidden',
  'unknown-channel',
  'not-found',
  'conflict',
  'unavailable',
  'internal',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  /** For `invalid-input`: the path of each invalid field and what is wrong with it. */
  issues?: { path: string; message: string }[];
}

export class HmsApiError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: { path: string; message: string }[] | undefined;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'HmsApiError';
    this.code = body.code;
    this.issues = body.issues;
  }

  toBody(): ApiErrorBody {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

/** A call's outcome as it crosses a process boundary: errors travel as data, not as thrown objects. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };
