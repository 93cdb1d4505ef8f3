import { describe, expect, it } from 'vitest';

import { compileParseOptions, scanningSettings, scanSettingsView } from '../../../main/core/scan/scanning-settings.js';
import { DEFAULT_WEDGE_TIMINGS } from '../../../preload/api/scan-schemas.js';
import { captureLogs } from '../devices/transport/log-capture.js';

describe('scanning settings', () => {
  it('fills the defaults', () => {
    const parsed = scanningSettings.parse({});
    expect(parsed.hid).toEqual({ enabled: true, pollIntervalMs: 2000 });
    expect(parsed.extraGroupSeparators).toEqual([]);
    expect(scanSettingsView(parsed).wedge).toEqual(DEFAULT_WEDGE_TIMINGS);
  });

  it('keeps the site patterns and timings', () => {
    const parsed = scanningSettings.parse({ wristbandPattern: 'MRN(?<mrn>\\d{8})', wedge: { maxInterKeyMs: 40 } });
    const view = scanSettingsView(parsed);
    expect(view.wristbandPattern).toBe('MRN(?<mrn>\\d{8})');
    expect(view.specimenPattern).toBeNull();
    expect(view.wedge).toEqual({ ...DEFAULT_WEDGE_TIMINGS, maxInterKeyMs: 40 });
  });

  it('gives defaults without settings', () => {
    expect(scanSettingsView(undefined)).toEqual({ wristbandPattern: null, specimenPattern: null, extraGroupSeparators: [], wedge: DEFAULT_WEDGE_TIMINGS });
  });

  it('rejects an invalid pattern by name', () => {
    const result = scanningSettings.safeParse({ specimenPattern: 'S(\\d' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['specimenPattern']);
    expect(result.error?.issues[0]?.message).toContain('specimen pattern');
  });

  it('rejects a poll interval under 250 ms', () => {
    expect(scanningSettings.safeParse({ hid: { pollIntervalMs: 100 } }).success).toBe(false);
  });

  it('leaves out a pattern that fails to compile', () => {
    const logs = captureLogs();
    const options = compileParseOptions({ wristbandPattern: 'MRN(', specimenPattern: 'S\\d+', extraGroupSeparators: [], wedge: DEFAULT_WEDGE_TIMINGS }, logs.logger);
    expect(options.wristbandPattern).toBeUndefined();
    expect(options.specimenPattern?.test('S12')).toBe(true);
    expect(logs.lines.some((line) => line.msg.startsWith('a site pattern of the scanning settings is invalid'))).toBe(true);
  });
});
