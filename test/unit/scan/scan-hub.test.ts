import { describe, expect, it, vi } from 'vitest';

import type { ScanEvent, ScanSettings } from '../../../preload/api/scan-schemas.js';
import { DEFAULT_WEDGE_TIMINGS } from '../../../preload/api/scan-schemas.js';
import type { ScanHubOptions, ScanListener } from '../../../renderer/src/scan/scan-hub.js';
import { ScanHub } from '../../../renderer/src/scan/scan-hub.js';
import type { WedgeKeyboardOptions } from '../../../renderer/src/scan/wedge-keyboard.js';

const SETTINGS: ScanSettings = {
  wristbandPattern: 'MRN(?<mrn>\\d{8})',
  specimenPattern: 'S\\d{2}-(?<accession>\\d{6})',
  extraGroupSeparators: [],
  wedge: { ...DEFAULT_WEDGE_TIMINGS, maxInterKeyMs: 40 },
};

/** Builds a hub with a fake keyboard and HID stream that the test drives. */
function hubWith(loadSettings: () => Promise<ScanSettings>) {
  let keyboard: WedgeKeyboardOptions | null = null;
  let hid: ScanListener | null = null;
  const timings: unknown[] = [];
  const reported: string[] = [];
  let ids = 0;
  const options: ScanHubOptions = {
    attach(attachOptions) {
      keyboard = attachOptions;
      return { setTimings: (value) => timings.push(value), detach: () => (keyboard = null) };
    },
    subscribeHid(listener) {
      hid = listener;
      return () => (hid = null);
    },
    now: () => 0,
    clock: () => new Date('2026-06-01T08:00:00.000Z'),
    loadSettings,
    reportScan: async (receivedAt) => reported.push(receivedAt),
    newId: () => `scan-${++ids}`,
  };
  return {
    hub: new ScanHub(options),
    wedge: (raw: string) => keyboard?.onScan({ raw, startedAt: 0, endedAt: 10, terminator: 'Enter' }),
    hid: (event: ScanEvent) => hid?.(event),
    attached: () => keyboard !== null,
    hidSubscribed: () => hid !== null,
    timings,
    reported,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('scan hub', () => {
  it('starts with the first subscriber and stops with the last', () => {
    const fake = hubWith(async () => SETTINGS);
    const stopFirst = fake.hub.subscribe(() => undefined);
    const stopSecond = fake.hub.subscribe(() => undefined);
    expect(fake.attached()).toBe(true);
    expect(fake.hidSubscribed()).toBe(true);

    stopFirst();
    expect(fake.attached()).toBe(true);
    stopSecond();
    expect(fake.attached()).toBe(false);
    expect(fake.hidSubscribed()).toBe(false);
  });

  it('reads wedge scans with the site patterns', async () => {
    const fake = hubWith(async () => SETTINGS);
    const scans: ScanEvent[] = [];
    fake.hub.subscribe((scan) => scans.push(scan));

    fake.wedge('MRN00012345');
    fake.wedge('S24-000123');
    await flush();

    expect(scans.map((scan) => scan.result.kind)).toEqual(['wristband', 'specimen']);
    expect(scans[0]).toMatchObject({ id: 'scan-1', source: 'wedge', receivedAt: '2026-06-01T08:00:00.000Z', raw: 'MRN00012345' });
    expect(fake.reported).toEqual(['2026-06-01T08:00:00.000Z', '2026-06-01T08:00:00.000Z']);
    expect(fake.timings).toEqual([SETTINGS.wedge]);
  });

  it('keeps the typed order while settings load', async () => {
    let resolve: (settings: ScanSettings) => void = () => undefined;
    const fake = hubWith(() => new Promise((done) => (resolve = done)));
    const raws: string[] = [];
    fake.hub.subscribe((scan) => raws.push(scan.raw));

    fake.wedge('first-label');
    fake.wedge('second-label');
    await flush();
    expect(raws).toEqual([]);

    resolve(SETTINGS);
    await flush();
    expect(raws).toEqual(['first-label', 'second-label']);
  });

  it('reads scans without patterns when settings fail', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let attempts = 0;
    const fake = hubWith(async () => {
      attempts += 1;
      throw Object.assign(new Error('offline'), { code: 'unavailable' });
    });
    const scans: ScanEvent[] = [];
    fake.hub.subscribe((scan) => scans.push(scan));

    fake.wedge('MRN00012345');
    await flush();

    expect(scans[0]?.result.kind).toBe('unknown');
    expect(attempts).toBe(2);
    warn.mockRestore();
  });

  it('gives every scan to the last exclusive subscriber alone', async () => {
    const fake = hubWith(async () => SETTINGS);
    const screen: string[] = [];
    const field: string[] = [];
    fake.hub.subscribe((scan) => screen.push(scan.raw));
    const stopField = fake.hub.subscribe((scan) => field.push(scan.raw), { exclusive: true });

    fake.wedge('S24-000123');
    await flush();
    stopField();
    fake.wedge('S24-000124');
    await flush();

    expect(field).toEqual(['S24-000123']);
    expect(screen).toEqual(['S24-000124']);
  });

  it('delivers HID scans to subscribers', () => {
    const fake = hubWith(async () => SETTINGS);
    const raws: string[] = [];
    fake.hub.subscribe((scan) => raws.push(scan.raw));

    fake.hid({ id: 'hid-1', source: 'hid', receivedAt: '2026-06-01T08:00:00.000Z', raw: ']C0S24-000123', result: { kind: 'unknown', raw: ']C0S24-000123', data: 'S24-000123', symbology: null, error: null } });

    expect(raws).toEqual([']C0S24-000123']);
  });
});
