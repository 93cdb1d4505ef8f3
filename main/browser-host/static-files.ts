import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { contentTypeOf, resolveRendererFile } from '../core/renderer-files.js';
import { rendererSecurityHeaders, securityHeadersForFile } from '../core/security/content-security-policy.js';

/** The browser host's headers: the shared renderer policy plus a WebSocket back to this host. */
export function securityHeaders(port: number): Record<string, string> {
  return rendererSecurityHeaders(["'self'", `ws://127.0.0.1:${port}`]);
}

/** Serves the built renderer from `root`; paths outside it are refused, unknown paths get index.html. */
export function serveStatic(root: string, request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
    return;
  }
  const target = resolveRendererFile(root, new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  if (target.kind === 'outside-root') {
    response.writeHead(403, headers).end();
    return;
  }
  if (target.kind === 'not-built') {
    response.writeHead(500, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(`The renderer is not built: ${target.path} is missing. Run npm run build.`);
    return;
  }
  response.writeHead(200, { ...securityHeadersForFile(target.path, headers), 'content-type': contentTypeOf(target.path) });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(target.path).pipe(response);
}
