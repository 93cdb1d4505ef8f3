import { describe, expect, it } from 'vitest';

import { fixedClock } from '../../../main/core/clock.js';
import { updateWindow } from '../../../main/core/policy.js';
import { isInsideWindow } from '../../../main/update/maintenance-window.js';
import { isRingInRollout } from '../../../main/update/rollout.js';
import type { UpdateSituation } from '../../../main/update/update-decision.js';
import { decideUpdate, updatePolicyOf } from '../../../main/update/update-decision.js';

const NIGHT_WINDOW = updateWindow.parse({ start: '02:00', end: '04:30', minIdleMinutes: 15, timeZone: 'Europe/Berlin' });

/** Saturday 5 December 2026, 03:00 in Berlin (UTC+1): inside NIGHT_WINDOW. */
const INSIDE = fixedClock('2026-12-05T02:00:00Z');
/** The same day at 10:00 in Berlin, during the morning shift. */
const OUTSIDE = fixedClock('2026-12-05T09:00:00Z');

function situation(overrides: Partial<UpdateSituation> = {}): UpdateSituation {
  return {
    policy: updatePolicyOf({ updateMode: 'download-and-install-in-window', updateRing: 3, updateWindow: NIGHT_WINDOW }),
    currentVersion: '1.2.0',
    now: INSIDE.now(),
    offered: { version: '1.3.0', downloaded: true },
    systemIdleSeconds: 30 * 60,
    documentation: 'none-open',
    sessionEnding: false,
    ...overrides,
  };
}

describe('update install decision', () => {
  it('installs inside window when idle', () => {
    const decision = decideUpdate(situation());

    expect(decision.action).toBe('install');
    expect(decision.reason).toBe('installing version 1.3.0: inside the maintenance window, nobody documenting, system idle');
  });

  it('waits outside the window', () => {
    const decision = decideUpdate(situation({ now: OUTSIDE.now() }));

    expect(decision).toEqual({ action: 'wait', reason: 'version 1.3.0 waits for the maintenance window (daily 02:00-04:30 Europe/Berlin)' });
  });

  it('waits while documentation is open', () => {
    expect(decideUpdate(situation({ documentation: 'open' }))).toEqual({ action: 'wait', reason: 'version 1.3.0 waits: documentation is open on this workstation' });
  });

  it('waits while documentation state is unknown', () => {
    expect(decideUpdate(situation({ documentation: 'unknown' })).action).toBe('wait');
  });

  it('waits until the system is idle long enough', () => {
    const justBelow = decideUpdate(situation({ systemIdleSeconds: 15 * 60 - 1 }));
    const enough = decideUpdate(situation({ systemIdleSeconds: 15 * 60 }));

    expect(justBelow).toEqual({ action: 'wait', reason: 'version 1.3.0 waits: the system has been idle 899 s of the 900 s required' });
    expect(enough.action).toBe('install');
  });

  it('never installs while the session ends', () => {
    const decision = decideUpdate(situation({ sessionEnding: true }));

    expect(decision).toEqual({ action: 'wait', reason: 'version 1.3.0 is not installed while the app quits or the session ends' });
  });

  it('waits without a window in policy', () => {
    const decision = decideUpdate(situation({ policy: updatePolicyOf({ updateMode: 'download-and-install-in-window' }) }));

    expect(decision.action).toBe('wait');
    expect(decision.reason).toContain('policy sets no updateWindow');
  });

  it('installs a recall outside the window', () => {
    const policy = updatePolicyOf({ updateMode: 'download-and-install-in-window', updateRing: 3, updateWindow: NIGHT_WINDOW, minimumVersion: '1.2.5' });

    const idle = decideUpdate(situation({ policy, now: OUTSIDE.now() }));
    const documenting = decideUpdate(situation({ policy, now: OUTSIDE.now(), documentation: 'open' }));

    expect(idle).toEqual({ action: 'install', reason: 'installing version 1.3.0: the running 1.2.0 is below the minimum version 1.2.5, nobody documenting, system idle' });
    expect(documenting.action).toBe('wait');
  });
});

describe('update modes', () => {
  it('does nothing when off', () => {
    expect(decideUpdate(situation({ policy: updatePolicyOf({ updateMode: 'off' }) }))).toEqual({ action: 'none', reason: 'updates are off (updateMode "off")' });
  });

  it('only notifies in notify mode', () => {
    const decision = decideUpdate(situation({ policy: updatePolicyOf({ updateMode: 'notify' }), offered: { version: '1.3.0', downloaded: false } }));

    expect(decision.action).toBe('notify');
  });

  it('downloads but never installs in download mode', () => {
    const policy = updatePolicyOf({ updateMode: 'download', updateWindow: NIGHT_WINDOW, updateRing: 0 });

    expect(decideUpdate(situation({ policy, offered: { version: '1.3.0', downloaded: false } })).action).toBe('download');
    expect(decideUpdate(situation({ policy })).action).toBe('notify');
  });

  it('downloads before installing', () => {
    const decision = decideUpdate(situation({ offered: { version: '1.3.0', downloaded: false } }));

    expect(decision).toEqual({ action: 'download', reason: 'downloading version 1.3.0 on channel "latest"' });
  });
});

describe('update checks', () => {
  it('checks when never checked', () => {
    expect(decideUpdate(situation({ offered: undefined })).action).toBe('check');
  });

  it('checks again after four hours', () => {
    const now = INSIDE.now();
    const recent = new Date(now.getTime() - 4 * 3_600_000 + 1);
    const old = new Date(now.getTime() - 4 * 3_600_000);

    expect(decideUpdate(situation({ offered: undefined, lastCheckAt: recent })).action).toBe('none');
    expect(decideUpdate(situation({ offered: undefined, lastCheckAt: old })).action).toBe('check');
  });
});

describe('update version rules', () => {
  it('rejects a downgrade by default', () => {
    const decision = decideUpdate(situation({ currentVersion: '1.3.0-beta.1', offered: { version: '1.2.0', downloaded: true } }));

    expect(decision).toEqual({ action: 'none', reason: 'version 1.2.0 is older than the running 1.3.0-beta.1, and policy does not allow a downgrade (allowDowngrade)' });
  });

  it('installs a downgrade policy allows', () => {
    const policy = updatePolicyOf({ updateMode: 'download-and-install-in-window', updateWindow: NIGHT_WINDOW, allowDowngrade: true, updateChannel: 'latest' });

    expect(decideUpdate(situation({ policy, currentVersion: '1.3.0-beta.1', offered: { version: '1.2.0', downloaded: true } })).action).toBe('install');
  });

  it('rejects a release below the minimum', () => {
    const policy = updatePolicyOf({ updateMode: 'download-and-install-in-window', updateWindow: NIGHT_WINDOW, allowDowngrade: true, minimumVersion: '1.2.0' });

    const decision = decideUpdate(situation({ policy, currentVersion: '1.3.0', offered: { version: '1.1.9', downloaded: true } }));

    expect(decision).toEqual({ action: 'none', reason: 'version 1.1.9 is older than the minimum version 1.2.0' });
  });

  it('ignores the running version', () => {
    expect(decideUpdate(situation({ offered: { version: '1.2.0', downloaded: true } })).reason).toBe('version 1.2.0 is already running');
  });

  it('rejects a non-semantic version', () => {
    expect(decideUpdate(situation({ offered: { version: 'latest', downloaded: true } })).action).toBe('none');
  });
});

describe('ring rollout', () => {
  it('takes a staged release by ring', () => {
    const staged = (ring: number, stagingPercentage: number) => decideUpdate(situation({ policy: updatePolicyOf({ updateMode: 'download-and-install-in-window', updateWindow: NIGHT_WINDOW, updateRing: ring }), offered: { version: '1.3.0', downloaded: true, stagingPercentage } }));

    expect(staged(0, 10).action).toBe('install');
    expect(staged(1, 10)).toEqual({ action: 'none', reason: 'version 1.3.0 is staged at 10%, which reaches ring 1 above 10%' });
    expect(staged(3, 31).action).toBe('install');
    expect(staged(3, 30).action).toBe('none');
  });

  for (const [ring, percentage, expected] of [
    [0, 0, false],
    [0, 1, true],
    [9, 90, false],
    [9, 91, true],
    [9, 100, true],
    [5, undefined, true],
  ] as const) {
    it(`ring ${ring} at ${percentage ?? 'no'} percent`, () => {
      expect(isRingInRollout(ring, percentage)).toBe(expected);
    });
  }
});

describe('maintenance window', () => {
  it('follows daylight saving time', () => {
    // 02:30 wall-clock in Berlin is 01:30 UTC in winter (UTC+1) and 00:30 UTC in summer (UTC+2).
    expect(isInsideWindow(NIGHT_WINDOW, new Date('2026-01-15T01:30:00Z'))).toBe(true);
    expect(isInsideWindow(NIGHT_WINDOW, new Date('2026-07-15T00:30:00Z'))).toBe(true);
    expect(isInsideWindow(NIGHT_WINDOW, new Date('2026-07-15T02:30:00Z'))).toBe(false);
  });

  it('spans midnight from its opening day', () => {
    const overnight = updateWindow.parse({ days: ['Fri'], start: '22:00', end: '05:00', timeZone: 'UTC' });

    expect(isInsideWindow(overnight, new Date('2026-12-04T22:00:00Z'))).toBe(true);
    expect(isInsideWindow(overnight, new Date('2026-12-05T04:59:00Z'))).toBe(true);
    expect(isInsideWindow(overnight, new Date('2026-12-05T05:00:00Z'))).toBe(false);
    expect(isInsideWindow(overnight, new Date('2026-12-05T22:30:00Z'))).toBe(false);
    expect(isInsideWindow(overnight, new Date('2026-12-04T04:00:00Z'))).toBe(false);
  });

  it('ends before its end minute', () => {
    expect(isInsideWindow(NIGHT_WINDOW, new Date('2026-12-05T03:29:00Z'))).toBe(true);
    expect(isInsideWindow(NIGHT_WINDOW, new Date('2026-12-05T03:30:00Z'))).toBe(false);
    expect(isInsideWindow(NIGHT_WINDOW, new Date('2026-12-05T00:59:00Z'))).toBe(false);
  });
});
