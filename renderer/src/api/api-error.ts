import type { ApiErrorBody, ApiErrorCode } from '../../../preload/api/index.js';
import { API_ERROR_CODES, HmsApiError } from '../../../preload/api/index.js';

/**
 * Reads an API failure as its error body. Besides `HmsApiError`, it accepts any object with a
 * known `code`, because an error that crosses Electron's contextBridge arrives as a plain object
 * or a bare Error without its class.
 */
export function toApiError(error: unknown): ApiErrorBody {
  if (error instanceof HmsApiError) return error.toBody();

  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const code = (API_ERROR_CODES as readonly string[]).includes(error.code) ? (error.code as ApiErrorCode) : 'internal';
    const message = 'message' in error && typeof error.message === 'string' ? error.message : code;
    const issues = 'issues' in error && Array.isArray(error.issues) ? readIssues(error.issues) : undefined;
    return issues === undefined ? { code, message } : { code, message, issues };
  }

  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

function readIssues(values: unknown[]): { path: string; message: string }[] {
  return values.flatMap((value) => {
    if (typeof value !== 'object' || value === null) return [];
    const path = 'path' in value && typeof value.path === 'string' ? value.path : '';
    const message = 'message' in value && typeof value.message === 'string' ? value.message : '';
    return message === '' ? [] : [{ path, message }];
  });
}
