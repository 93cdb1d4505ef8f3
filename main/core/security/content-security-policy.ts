/**
 * The Content-Security-Policy both hosts send with the renderer's pages: the app's own scripts and
 * styles only, no inline script, no eval, no plugins, no framing. `connectSources` lists where the
 * page may open connections: the browser host's WebSocket and its imaging route, or the Electron
 * host's DICOM scheme (its renderer talks to the core over a MessagePort). Web workers may only
 * come from the app's own files, never from blob: or data: URLs.
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    `connect-src ${connectSources.length > 0 ? connectSources.join(' ') : "'none'"}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The policy of the DICOM decoding workers of cornerstone-wado-image-loader 4.x. A dedicated
 * worker runs under the policy of its own script's response, not the page's. Its JPEG-LS and
 * JPEG 2000 codecs are Emscripten builds whose glue code calls `new Function`, so the worker needs
 * 'unsafe-eval' as well as 'wasm-unsafe-eval'. That grant stays inside the worker, which has no DOM
 * and may fetch only the app's own codec files.
 */
export const CODEC_WORKER_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'",
  "connect-src 'self'",
].join('; ');

/** Tells whether a renderer file is one of the loader's worker scripts, which get `CODEC_WORKER_POLICY`. */
export function isCodecWorkerScript(path: string): boolean {
  return /\.worker\.js$/.test(path);
}

/** Response headers that go with every page and asset of the renderer. */
export function rendererSecurityHeaders(connectSources: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connectSources),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

/** Headers of a decoding worker's script: the renderer's headers with the worker's own policy. */
export function codecWorkerSecurityHeaders(): Record<string, string> {
  return { ...rendererSecurityHeaders([]), 'content-security-policy': CODEC_WORKER_POLICY };
}

/** Picks the headers of one renderer file: the worker's for a codec worker script, else the page's. */
export function securityHeadersForFile(path: string, pageHeaders: Record<string, string>): Record<string, string> {
  return isCodecWorkerScript(path) ? codecWorkerSecurityHeaders() : pageHeaders;
}
