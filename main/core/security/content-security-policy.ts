/**
 * The Content-Security-Policy both hosts send with the renderer's pages: the app's own scripts and
 * styles only, no inline script, no eval, no plugins, no framing. `connectSources` lists where the
 * page may open connections: the browser host's WebSocket; nothing under Electron, whose renderer
 * talks to the core over a MessagePort.
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
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
