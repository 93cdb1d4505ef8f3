import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const RENDERER = join(ROOT, 'dist', 'renderer');
export const SCREENSHOTS = join(ROOT, 'test-results', 'e2e');
const CHROMIUM = process.env.HMS_CHROMIUM ?? '/usr/bin/chromium';
/** Debian's Chromium, headless, with its background connections off: nothing leaves this machine. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Builds the renderer when a test run starts without `npm run build` having run first. */
export function ensureRendererBuilt(): void {
  if (existsSync(join(RENDERER, 'index.html'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts'], { cwd: ROOT, stdio: 'inherit' });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}; install Debian's chromium package or set HMS_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
