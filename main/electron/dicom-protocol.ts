import type { CustomScheme, Protocol } from 'electron';

import type { InstanceResponse, ReadImagingInstance } from '../core/imaging/instance-access.js';
import type { Logger } from '../core/logging/logger.js';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES } from './app-protocol.js';

/**
 * The `hms-dicom:` scheme of the imaging viewer: `hms-dicom://instances/<study>/<series>/<sop>`
 * returns one DICOM instance as `application/dicom`, read from the core's study cache or, through
 * it, from the PACS. Instances reach the renderer by URL, never as file paths.
 */
export const DICOM_SCHEME = 'hms-dicom';
export const DICOM_INSTANCES_HOST = 'instances';

/**
 * `standard` gives the scheme normal URL parsing, `secure` lets the app:// page (itself secure)
 * load from it, and `supportFetchAPI` with `corsEnabled` lets the loader's XMLHttpRequest and
 * fetch read the bytes under CORS. The scheme gets no bypass of the CSP: the page's connect-src
 * must list it.
 */
export const DICOM_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: DICOM_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

/**
 * Registers the privileges of both custom schemes, app: and hms-dicom:. Electron accepts one call,
 * before the app is ready, so every privileged scheme must be in it.
 */
export function registerPrivilegedSchemes(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES, DICOM_SCHEME_PRIVILEGES]);
}

/** Headers of every hms-dicom: response. Only the app's own pages may read the bytes. */
const RESPONSE_HEADERS = {
  'access-control-allow-origin': APP_ORIGIN,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  vary: 'Origin',
};

/**
 * Creates the handler of hms-dicom: requests. GET and HEAD only; the path must name a study, a
 * series and an instance. The core checks the UIDs and the session, and its status is passed on:
 * 404 when the instance is neither cached nor on the PACS, 502 or 504 when the PACS fails.
 */
export function createDicomRequestHandler(readInstance: ReadImagingInstance, logger: Logger): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${DICOM_SCHEME}:` || url.host !== DICOM_INSTANCES_HOST) return errorResponse(404, `No such DICOM resource; use ${DICOM_SCHEME}://${DICOM_INSTANCES_HOST}/<study>/<series>/<instance>`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return errorResponse(405, 'Only GET and HEAD read instances', { allow: 'GET, HEAD' });

    const parts = url.pathname.replace(/^\//, '').split('/').map(decodePart);
    const [studyInstanceUid, seriesInstanceUid, sopInstanceUid] = parts;
    if (parts.length !== 3 || !studyInstanceUid || !seriesInstanceUid || !sopInstanceUid) {
      return errorResponse(404, `No instance at ${url.pathname.slice(0, 200)}; use ${DICOM_SCHEME}://${DICOM_INSTANCES_HOST}/<study>/<series>/<instance>`);
    }

    let result: InstanceResponse;
    try {
      result = await readInstance({ studyInstanceUid, seriesInstanceUid, sopInstanceUid });
    } catch (error) {
      logger.error({ studyInstanceUid, sopInstanceUid, error: error instanceof Error ? error.message : String(error) }, 'reading an imaging instance for hms-dicom: failed');
      return errorResponse(502, 'Reading the instance failed; the workstation log has the details');
    }
    if (result.status !== 200) return errorResponse(result.status, result.error);
    const body = request.method === 'HEAD' ? null : new Uint8Array(result.bytes);
    return new Response(body, { status: 200, headers: { ...RESPONSE_HEADERS, 'content-type': 'application/dicom', 'content-length': String(result.bytes.byteLength) } });
  };
}

export function handleDicomProtocol(protocol: Pick<Protocol, 'handle'>, readInstance: ReadImagingInstance, logger: Logger): void {
  protocol.handle(DICOM_SCHEME, createDicomRequestHandler(readInstance, logger));
}

/** Decodes one path segment; a malformed escape becomes an empty segment, which the caller rejects. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}

function errorResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { status, message } }), { status, headers: { ...RESPONSE_HEADERS, ...headers, 'content-type': 'application/json; charset=utf-8' } });
}
