import { statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

/**
 * The built renderer as both hosts serve it: one folder, nothing outside it. Shared by the browser
 * host's HTTP server and the Electron host's app:// protocol so both refuse the same paths.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type RendererFile = { kind: 'file'; path: string } | { kind: 'outside-root' } | { kind: 'not-built'; path: string };

/**
 * Maps a URL path (still percent-encoded) to a file under `root`. A path that decodes to a place
 * outside the folder, by `..` or an encoded `%2e%2e`, `%2f` or `%5c`, is refused. An unknown path
 * inside gets index.html, so the single-page app can own its routes.
 */
export function resolveRendererFile(root: string, encodedPathname: string): RendererFile {
  const folder = resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(encodedPathname);
  } catch {
    return { kind: 'outside-root' };
  }
  // No renderer file has a NUL or a backslash in its name, and on Windows a backslash separates
  // folders, so either one marks a path that is refused on every platform alike.
  if (pathname.includes('\0') || pathname.includes('\\')) return { kind: 'outside-root' };

  const candidate = normalize(join(folder, pathname));
  if (candidate !== folder && !candidate.startsWith(folder + sep)) return { kind: 'outside-root' };
  if (isFile(candidate)) return { kind: 'file', path: candidate };

  const index = join(folder, 'index.html');
  return isFile(index) ? { kind: 'file', path: index } : { kind: 'not-built', path: index };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
