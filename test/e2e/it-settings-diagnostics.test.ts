import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hostPolicy } from '../../main/core/policy-resolve.js';
import { readPolicySources, resolveWorkstationPolicy } from '../../main/core/policy-sources.js';
import { loadSettings } from '../../main/core/settings.js';
import { setWardConfiguration } from '../../sync/server/ward-configuration.js';
import { SCREENSHOTS } from '../support/browser.js';
import { makeTempDirectory } from '../support/replica.js';
import { until } from '../support/lab-bench.js';
import type { WorkstationStack } from '../support/workstation-stack.js';
import { signIn, startWorkstationStack } from '../support/workstation-stack.js';

/**
 * IT's view of a ward workstation: the policy file fixes the log level, the central server's ward
 * configuration fixes the inactivity lock, and the ward id and server URL are user settings. An IT administrator
 * sees the first two read-only and marked as managed, changes the server URL, then opens the
 * diagnostics screen and exports the bundle. Last, a nurse opens the settings. The header calls the
 * workstation's Location a ward for both users.
 */
describe('settings and diagnostics for IT', () => {
  // Folder of the machine policy file, outside the workstation's data folder.
  const data = makeTempDirectory('e2e-it-settings-policy');
  let stack: WorkstationStack;
  let page: Page;

  function settingRow(key: string) {
    return page.locator(`[data-testid="setting-row"][data-key="${key}"]`);
  }

  beforeAll(async () => {
    const etc = join(data.path, 'etc');
    mkdirSync(etc, { mode: 0o755 });
    chmodSync(etc, 0o755);
    const policyFile = join(etc, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ schemaVersion: 1, mandatory: { logLevel: 'info', allowedSerialPorts: ['/dev/ttyUSB0'] }, recommended: { updateRing: 3 } }));
    chmodSync(policyFile, 0o644);
    const machine = readPolicySources({ files: { file: policyFile, dropInDirectory: join(etc, 'policy.d'), platform: 'linux', trustedOwnerUids: [process.getuid?.() ?? 0] } });

    stack = await startWorkstationStack({
      name: 'e2e-it-settings',
      database: 'postgresql',
      beforeWorkstation: (server) => setWardConfiguration(server.database, 'ward-4a', { inactivityLockMinutes: 12, updateChannel: 'pilot-ward' }),
      settings: ({ serverUrl, dataDirectory }) => loadSettings(dataDirectory, { serverUrl, wardId: 'ward-4a' }),
      core: ({ dataDirectory }) => ({
        policy: hostPolicy(resolveWorkstationPolicy(machine, dataDirectory)),
        policyReading: machine,
        versions: { app: '0.1.0', electron: null },
      }),
      viewport: { width: 1280, height: 900 },
    });
    page = stack.page;
  });

  afterAll(async () => {
    await stack?.close();
    data.remove();
  });

  it('shows managed settings read-only and exports diagnostics', async () => {
    await page.goto(stack.host.url);
    await signIn(page, 'it-administrator', 'it-administrator-demo');
    // The core fetches the ward configuration once the server responds after the sign-in.
    await until(() => stack.core.policy.effective().values.inactivityLockMinutes?.level, (level) => level === 'ward', 'the ward configuration');
    // The header names what the workstation is enrolled to, not where an IT administrator usually works.
    await page.locator('.shell__ward-label').waitFor();
    expect(await page.locator('.shell__ward-label').innerText()).toBe('Ward');
    expect(await page.getByTestId('ward-name').innerText()).toBe('Ward 4A – Acute Medicine');

    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-screen').waitFor();

    // Every setting is named in words, and IT also gets the policy key under the name.
    for (const row of await page.getByTestId('setting-row').all()) {
      const key = await row.getAttribute('data-key');
      expect(await row.getByTestId('setting-label').innerText(), `label of ${key}`).not.toBe(key);
      expect(await row.getByTestId('setting-key').innerText(), `policy key of ${key}`).toBe(key);
    }
    const lock = settingRow('inactivityLockMinutes');
    expect(await lock.getByTestId('setting-label').innerText()).toBe('Lock after inactivity (minutes)');
    expect(await page.getByLabel('Lock after inactivity (minutes)').inputValue()).toBe('12');
    expect(await lock.getAttribute('data-level')).toBe('ward');
    expect(await lock.getByTestId('setting-managed').innerText()).toContain('Managed by your IT department');
    expect(await lock.getByTestId('setting-input').isDisabled()).toBe(true);
    expect(await lock.getByTestId('setting-input').inputValue()).toBe('12');
    expect(await lock.getByTestId('setting-save').count()).toBe(0);
    const logLevel = settingRow('logLevel');
    expect(await logLevel.getAttribute('data-level')).toBe('mandatory');
    expect(await logLevel.getByTestId('setting-managed').count()).toBe(1);
    expect(await logLevel.getByTestId('setting-input').isDisabled()).toBe(true);
    const ring = settingRow('updateRing');
    expect(await ring.getByTestId('setting-managed').count()).toBe(0);
    expect(await ring.innerText()).toContain('Recommended by IT policy');
    const ward = settingRow('wardId');
    expect(await ward.getByTestId('setting-managed').count()).toBe(0);
    expect(await ward.getByTestId('setting-input').isEnabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'it-settings-managed.png'), fullPage: true });

    const serverUrl = settingRow('serverUrl');
    await serverUrl.getByTestId('setting-input').fill('https://hms.hospital.example');
    await serverUrl.getByTestId('setting-save').click();
    await settingRow('serverUrl').getByText('Takes effect when HMS Workstation next starts.').waitFor();
    expect(await settingRow('serverUrl').getByTestId('setting-input').inputValue()).toBe('https://hms.hospital.example');

    await page.getByTestId('open-diagnostics').click();
    await page.getByTestId('diagnostics-versions').waitFor();
    expect(await page.getByTestId('diagnostics-versions').innerText()).toContain('0.1.0');
    expect(await page.getByTestId('diagnostics-sync-lag').innerText()).toMatch(/\d+ (s|min)/);
    const logFiles = await page.getByTestId('diagnostics-log-files').innerText();
    expect(logFiles).toMatch(/^(1 file|(0|[2-9]|\d{2,}) files), /);
    const lockRow = await page.getByTestId('diagnostics-policy').locator('[data-key="inactivityLockMinutes"]').innerText();
    expect(lockRow).toContain('Managed by your IT department');
    expect(lockRow, 'the setting is named in words').toContain('Lock after inactivity (minutes)');
    expect(lockRow, 'and by the key that policy files use').toContain('inactivityLockMinutes');
    await page.screenshot({ path: join(SCREENSHOTS, 'it-diagnostics.png'), fullPage: true });

    await page.getByTestId('diagnostics-export').click();
    const done = page.getByTestId('diagnostics-export-done');
    await done.waitFor();
    const path = /to (\/.+\.tar\.gz)$/.exec(await done.innerText())?.[1];
    expect(path?.startsWith(join(stack.dataDirectory, 'diagnostics'))).toBe(true);
    expect(existsSync(path ?? '')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'it-diagnostics-exported.png'), fullPage: true });
  });

  // Every signed-in user may open the settings. A nurse gets each setting's name but no policy keys.
  it('shows a nurse the settings without policy keys', async () => {
    await page.getByTestId('signout').click();
    await signIn(page, 'nurse', 'nurse-demo');
    await page.locator('.shell__ward-label').waitFor();
    expect(await page.locator('.shell__ward-label').innerText()).toBe('Ward');
    await page.getByTestId('open-settings').click();
    await settingRow('inactivityLockMinutes').waitFor();

    expect(await page.getByTestId('setting-key').count()).toBe(0);
    for (const row of await page.getByTestId('setting-row').all()) {
      const key = await row.getAttribute('data-key');
      const label = await row.getByTestId('setting-label').innerText();
      expect(label, `label of ${key}`).not.toBe(key);
      expect(await row.locator('th').innerText(), `name cell of ${key}`).toBe(label);
    }
    expect(await settingRow('inactivityLockMinutes').getByTestId('setting-input').isDisabled()).toBe(true);
    expect(await settingRow('serverUrl').getByTestId('setting-save').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'it-settings-nurse.png'), fullPage: true });
  });
});
