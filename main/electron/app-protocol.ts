import { readFile } from 'node:fs/promises';

import type { CustomScheme, Protocol } from 'electron';

import { contentTypeOf, resolveRendererFile } from '../core/renderer-files.js';
import { rendererSecurityHeaders, securityHeadersForFile } from '../core/security/content-security-policy.js';

/**
 * The app:// protocol that serves the renderer's pages from one folder. Pages never load from
 * file://, which would give them every file on disk as their origin.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'workstation';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * `standard` gives the scheme normal URL parsing and a real origin. `secure` treats it like https,
 * so crypto.randomUUID works. The scheme gets no CORS, no service workers and no bypass of the CSP.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
};

/** Registers the scheme's privileges; Electron accepts this only before the app is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

/**
 * Scheme of the cached DICOM instances that the imaging viewer loads, answered by the core's study
 * cache. The page's only connections go there, because it talks to the core over a MessagePort.
 */
export const DICOM_CONNECT_SOURCE = 'hms-dicom:';

/** Headers of every app:// response: the renderer policy, connecting only to the DICOM scheme. */
export const APP_RESPONSE_HEADERS = rendererSecurityHeaders([DICOM_CONNECT_SOURCE]);

/**
 * Creates the handler that serves app:// requests with files under `root`: 404 for another host, 405 for anything but GET,
 * 403 for a path outside the folder (also when `..` or `/` arrive percent-encoded).
 */
export function createAppRequestHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response(null, { status: 404, headers: APP_RESPONSE_HEADERS });
    if (request.method !== 'GET') return new Response(null, { status: 405, headers: APP_RESPONSE_HEADERS });

    const target = resolveRendererFile(root, url.pathname);
    if (target.kind === 'outside-root') return new Response(null, { status: 403, headers: APP_RESPONSE_HEADERS });
    if (target.kind === 'not-built') {
      return new Response(`The renderer is missing: ${target.path}. Reinstall HMS Workstation.`, {
        status: 500,
        headers: { ...APP_RESPONSE_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const body = await readFile(target.path);
    const headers = { ...securityHeadersForFile(target.path, APP_RESPONSE_HEADERS), 'content-type': contentTypeOf(target.path) };
    return new Response(new Uint8Array(body), { status: 200, headers });
  };
}

export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(root));
}
