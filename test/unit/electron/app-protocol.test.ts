import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { APP_SCHEME_PRIVILEGES, createAppRequestHandler, handleAppProtocol, registerAppScheme } = await import('../../../main/electron/app-protocol.js');

describe('app:// protocol', () => {
  const parent = mkdtempSync(join(tmpdir(), 'hms-app-protocol-'));
  const root = join(parent, 'renderer');
  let handle: (request: Request) => Promise<Response>;

  beforeAll(() => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>HMS</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log("renderer")');
    writeFileSync(join(root, 'assets', 'index.worker.min.worker.js'), 'self.onmessage = () => {}');
    writeFileSync(join(parent, 'secret.txt'), 'outside the renderer folder');
    handle = createAppRequestHandler(root);
  });

  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('registers app as a standard, secure scheme', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };

    registerAppScheme(protocol);

    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([APP_SCHEME_PRIVILEGES]);
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
  });

  it('installs its handler with protocol.handle', () => {
    const protocol = { handle: vi.fn() };

    handleAppProtocol(protocol, root);

    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
  });

  it('serves the renderer with the strict policy', async () => {
    const response = await handle(new Request('app://workstation/index.html'));

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>HMS</title>');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain('connect-src hms-dicom:');
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
  });

  it('serves the codec worker under its own policy', async () => {
    const response = await handle(new Request('app://workstation/assets/index.worker.min.worker.js'));

    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'");
    expect(policy).toContain("connect-src 'self'");
  });

  it('keeps eval out of the page policy', async () => {
    const response = await handle(new Request('app://workstation/index.html'));

    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("worker-src 'self'");
    expect(policy).not.toContain('wasm-unsafe-eval');
    expect(policy).not.toContain('blob:');
  });

  it('serves assets with their content type', async () => {
    const response = await handle(new Request('app://workstation/assets/app.js'));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    ['an encoded slash', 'app://workstation/..%2fsecret.txt'],
    ['encoded dots and slash', 'app://workstation/%2e%2e%2fsecret.txt'],
    ['an encoded backslash', 'app://workstation/..%5csecret.txt'],
    ['a NUL byte', 'app://workstation/index.html%00.js'],
  ])('refuses a path outside its folder by %s', async (_case, url) => {
    const response = await handle(new Request(url));

    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('outside the renderer folder');
  });

  it('keeps plain dot segments inside its folder', async () => {
    const response = await handle(new Request('app://workstation/../secret.txt'));

    expect(await response.text()).not.toContain('outside the renderer folder');
  });

  it('answers another host with 404', async () => {
    const response = await handle(new Request('app://elsewhere/index.html'));

    expect(response.status).toBe(404);
  });

  it('answers a method other than GET with 405', async () => {
    const response = await handle(new Request('app://workstation/index.html', { method: 'POST', body: 'x' }));

    expect(response.status).toBe(405);
  });
});
