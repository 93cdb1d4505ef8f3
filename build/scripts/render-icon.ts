// Renders build/icons/icon.svg to the 512×512 PNG that electron-builder turns into each platform's
// icon format. Run with `npx tsx build/scripts/render-icon.ts` after changing the SVG; it needs
// Debian's Chromium.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const folder = join(import.meta.dirname, '..', 'icons');
const svg = readFileSync(join(folder, 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.HMS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.screenshot({ path: join(folder, 'icon.png'), omitBackground: true });
await browser.close();
console.log(`Wrote ${join(folder, 'icon.png')}`);
