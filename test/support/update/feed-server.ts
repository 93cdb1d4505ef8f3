import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

export interface FeedRequest {
  path: string;
  range: string | undefined;
  /** Bytes of file content sent in the response body. */
  bytes: number;
}

export interface FeedServer {
  url: string;
  requests: FeedRequest[];
  /** When false, range requests get the whole file with 200, as some proxies and servers do. */
  acceptRanges: boolean;
  close(): Promise<void>;
}

const BOUNDARY = 'hms-feed-boundary';

/**
 * Starts a static update feed on 127.0.0.1 that serves a folder, as the hospital's update server
 * serves electron-builder's output. It responds to a single range with 206 and to several ranges with
 * multipart/byteranges, and records each request.
 */
export async function startFeedServer(folder: string): Promise<FeedServer> {
  const feed: Omit<FeedServer, 'url' | 'close'> = { requests: [], acceptRanges: true };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const record: FeedRequest = { path, range: request.headers.range, bytes: 0 };
    feed.requests.push(record);
    const file = normalize(join(folder, decodeURIComponent(path)));
    if (!file.startsWith(folder)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => serve(body, feed.acceptRanges ? request.headers.range : undefined, response, record),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(feed, {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}

function serve(body: Buffer, range: string | undefined, response: ServerResponse, record: FeedRequest): void {
  const ranges = range === undefined ? [] : parseRanges(range, body.length);
  if (ranges.length === 0) {
    record.bytes = body.length;
    response.writeHead(200, { 'content-length': body.length }).end(body);
    return;
  }
  if (ranges.length === 1) {
    const [start, end] = ranges[0] as [number, number];
    const part = body.subarray(start, end + 1);
    record.bytes = part.length;
    response.writeHead(206, { 'content-length': part.length, 'content-range': `bytes ${start}-${end}/${body.length}` }).end(part);
    return;
  }
  const chunks: Buffer[] = [];
  for (const [start, end] of ranges) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${start}-${end}/${body.length}\r\n\r\n`));
    chunks.push(body.subarray(start, end + 1), Buffer.from('\r\n'));
    record.bytes += end + 1 - start;
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  const payload = Buffer.concat(chunks);
  response.writeHead(206, { 'content-type': `multipart/byteranges; boundary=${BOUNDARY}`, 'content-length': payload.length }).end(payload);
}

/** Parses `bytes=a-b,c-d` into inclusive ranges; suffix and open ranges are not needed by electron-updater. */
function parseRanges(header: string, size: number): [number, number][] {
  const match = /^bytes=(.+)$/.exec(header);
  if (match?.[1] === undefined) return [];
  return match[1].split(',').map((part) => {
    const [start = '0', end = ''] = part.trim().split('-');
    return [Number(start), end === '' ? size - 1 : Math.min(Number(end), size - 1)] as [number, number];
  });
}
