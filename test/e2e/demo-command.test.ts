import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

import { launchChromium, ROOT, SCREENSHOTS } from '../support/browser.js';
import { makeTempDirectory } from '../support/replica.js';


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves with the workstation address once the demo prints it. */
function addressPrintedBy(demo: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    demo.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open:\s+(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    demo.once('exit', (code) => reject(new Error(`The demo exited with status ${code} before printing its address:\n${output}`)));
  });
}

describe('demo command', () => {
  const data = makeTempDirectory('demo');
  let demo: ChildProcess | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo?.once('exit', resolve));
      demo.kill('SIGTERM');
      await exited;
    }
    data.remove();
  });

  it('shows the seeded Synthea patients on the ward list', async () => {
    const [serverPort, workstationPort] = [await freePort(), await freePort()];
    demo = spawn(
      process.execPath,
      ['build/scripts/demo.mjs', '--skip-build', '--fresh', '--data-dir', data.path, '--server-port', String(serverPort), '--workstation-port', String(workstationPort)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const address = await addressPrintedBy(demo);
    expect(address.startsWith(`http://127.0.0.1:${workstationPort}/#token=`)).toBe(true);

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(address);
    await page.getByTestId('signin-username').fill('nurse');
    await page.getByTestId('signin-password').fill('nurse-demo');
    await page.getByTestId('signin-submit').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ward-row"]').length > 5, undefined, { timeout: 60_000 });

    // Bill Reinger and Joie Morissette are patients of the Synthea bundles in test/fixtures/fhir/synthea.
    const wardList = await page.getByTestId('ward-list').textContent();
    expect(wardList).toContain('REINGER, Bill');
    expect(wardList).toContain('MORISSETTE, Joie');
    expect(await page.getByTestId('ward-name').textContent()).toContain('Ward 4A');

    // The demo's settings carry a wristband pattern, so a wristband scan opens the chart. The scan
    // is typed as README's medication section shows, with keydown events sent back to back.
    const mrn = (await page.getByTestId('ward-row').first().locator('td.mono').textContent())?.trim() ?? '';
    expect(mrn).toMatch(/^\d{8}$/);
    await page.evaluate(`for (const key of [...'MRN${mrn}', 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));`);
    await page.getByTestId('bcma-wristband').and(page.locator('[data-confirmed="true"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('banner-mrn').textContent()).toContain(mrn);
    await page.getByTestId('mar-range').waitFor({ timeout: 30_000 });

    // README's pack scan: whether it passes depends on the time of day, but the check always shows.
    await page.evaluate(`for (const key of [...']d201095201234567881730123110A1234', 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));`);
    const result = page.getByTestId('bcma-result');
    await result.waitFor({ timeout: 30_000 });
    expect(['pass', 'overridable', 'blocked']).toContain(await result.getAttribute('data-outcome'));
    expect(await page.getByTestId('bcma-product').textContent()).toContain('Lot A1234, expires 2030-12-31');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-wristband-scan.png'), fullPage: true });
  });
});
