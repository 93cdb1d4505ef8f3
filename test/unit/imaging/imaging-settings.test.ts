import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { imagingSettings } from '../../../main/core/imaging/imaging-settings.js';
import { DEFAULT_WINDOW_PRESETS } from '../../../preload/api/imaging-presets.js';
import { loadSettings, SETTINGS_FILE } from '../../../main/core/settings.js';

const BASE = { serverUrl: 'http://127.0.0.1:8080', wardId: 'ward-3' };

describe('imaging settings', () => {
  let dataDirectory: string;

  beforeEach(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'hms-imaging-settings-'));
  });

  afterEach(async () => {
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('fills in the defaults', () => {
    const settings = imagingSettings.parse({ pacs: { url: 'https://pacs.example.org/dicom-web' } });

    expect(settings.pacs.requestTimeoutMs).toBe(15_000);
    expect(settings.pacs.retrieveTimeoutMs).toBe(120_000);
    expect(settings.cache.maxBytes).toBe(10 * 1024 ** 3);
    expect(settings.cache.prefetch).toEqual({ maxAgeDays: 365, maxStudiesPerPatient: 3, maxInstancesPerStudy: 2_000 });
  });

  it('defaults to the CT window presets', () => {
    const settings = imagingSettings.parse({ pacs: { url: 'https://pacs.example.org/dicom-web' }, viewer: {} });

    expect(settings.viewer?.windowPresets.map((preset) => preset.id)).toEqual(['brain', 'subdural', 'stroke', 'lung', 'mediastinum', 'abdomen', 'liver', 'bone']);
    expect(settings.viewer?.windowPresets.find((preset) => preset.id === 'lung')).toEqual({ id: 'lung', name: 'Lung', width: 1500, center: -600 });
    expect(settings.viewer?.windowPresets).toEqual(DEFAULT_WINDOW_PRESETS);
  });

  it('takes a configured preset list', () => {
    const windowPresets = [{ id: 'stroke', name: 'Stroke', width: 8, center: 32 }];

    const settings = imagingSettings.parse({ pacs: { url: 'https://pacs.example.org/dicom-web' }, viewer: { windowPresets } });

    expect(settings.viewer?.windowPresets).toEqual(windowPresets);
  });

  it('rejects a preset without width', () => {
    const result = imagingSettings.safeParse({ pacs: { url: 'https://pacs.example.org/dicom-web' }, viewer: { windowPresets: [{ id: 'flat', name: 'Flat', width: 0, center: 40 }] } });

    expect(result.success).toBe(false);
  });

  it('loads from settings.json', async () => {
    await writeFile(
      join(dataDirectory, SETTINGS_FILE),
      JSON.stringify({ ...BASE, imaging: { pacs: { url: 'http://127.0.0.1:8042/dicom-web', authentication: { type: 'bearer', token: 't' } }, cache: { maxBytes: 1_000 } } }),
    );

    const settings = loadSettings(dataDirectory);

    expect(settings.imaging?.pacs.authentication).toEqual({ type: 'bearer', token: 't' });
    expect(settings.imaging?.cache.maxBytes).toBe(1_000);
    expect(settings.imaging?.cache.prefetch.maxAgeDays).toBe(365);
  });

  it('names an invalid PACS address', async () => {
    await writeFile(join(dataDirectory, SETTINGS_FILE), JSON.stringify({ ...BASE, imaging: { pacs: { url: 'ftp://pacs' } } }));

    expect(() => loadSettings(dataDirectory)).toThrow('imaging.pacs.url: imaging.pacs.url must be an http:// or https:// URL');
  });

  it('rejects basic authentication without a user name', () => {
    const parsed = imagingSettings.safeParse({ pacs: { url: 'http://pacs', authentication: { type: 'basic', username: '', password: 'x' } } });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['pacs', 'authentication', 'username']);
  });

  it('leaves imaging out where nobody views images', () => {
    expect(loadSettings(dataDirectory, BASE).imaging).toBeUndefined();
  });
});
