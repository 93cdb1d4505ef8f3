import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { contentTypeOf, resolveRendererFile } from '../../../../main/core/renderer-files.js';
import { rendererSecurityHeaders, securityHeadersForFile } from '../../../../main/core/security/content-security-policy.js';
import { ROOT } from '../../../support/browser.js';

export const HARNESS = join(ROOT, 'dist', 'viewer-harness');

/** A file name that makes the server hold the instance's request open without ever answering. */
export const STALLED_INSTANCE = 'stalled-instance';

/** Builds the viewer's test page; a second of work, so every test run builds it fresh. */
export function buildHarness(): void {
  execFileSync('npx', ['vite', 'build', '--config', 'test/e2e/imaging/harness/vite.config.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(join(HARNESS, 'index.html'))) throw new Error(`The viewer test page was not built into ${HARNESS}`);
}

export interface HarnessServer {
  url: string;
  /** Counts requests per path, so a test can see what the viewer fetched. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Serves the viewer's test page on 127.0.0.1 with the renderer's real headers (the page policy,
 * and the codec worker's own policy on its scripts), and returns
 * `/instances/<study>/<series>/<sop>` with the Part 10 file registered for that SOP Instance UID,
 * like the browser host's imaging route.
 */
export async function serveHarness(filesBySopUid: ReadonlyMap<string, string>): Promise<HarnessServer> {
  return serveHarnessFrom(async ({ sopInstanceUid }) => {
    const file = filesBySopUid.get(sopInstanceUid);
    if (file === STALLED_INSTANCE) return new Promise<never>(() => undefined);
    return file === undefined ? null : new Uint8Array(readFileSync(file));
  });
}

export interface InstanceUids {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

/** Reads one instance's Part 10 bytes, or null when there is none. */
export type InstanceSource = (uids: InstanceUids) => Promise<Uint8Array | null>;

/** Serves the test page like `serveHarness`, with instances from `source`, such as the core's study cache. */
export async function serveHarnessFrom(source: InstanceSource): Promise<HarnessServer> {
  const pageHeaders = rendererSecurityHeaders(["'self'"]);
  const requests = new Map<string, number>();
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    requests.set(pathname, (requests.get(pathname) ?? 0) + 1);
    const instance = /^\/instances\/([\d.]+)\/([\d.]+)\/([\d.]+)$/.exec(pathname);
    if (instance !== null) {
      const uids = { studyInstanceUid: instance[1] ?? '', seriesInstanceUid: instance[2] ?? '', sopInstanceUid: instance[3] ?? '' };
      source(uids).then(
        (bytes) => {
          if (bytes === null) response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not cached"}');
          else response.writeHead(200, { 'content-type': 'application/dicom', 'cache-control': 'no-store' }).end(bytes);
        },
        (error: unknown) => response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) })),
      );
      return;
    }
    const target = resolveRendererFile(HARNESS, pathname);
    if (target.kind !== 'file') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { ...securityHeadersForFile(target.path, pageHeaders), 'content-type': contentTypeOf(target.path) }).end(readFileSync(target.path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => {
      // A stalled request keeps its connection open, which would hold close() forever.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
