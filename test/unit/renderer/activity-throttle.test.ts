import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ACTIVITY_REPORT_INTERVAL_MS, ActivityThrottle } from '../../../renderer/src/session/activity-throttle.js';

const START = Date.parse('2026-12-05T09:00:00Z');

function createThrottle() {
  const reports: number[] = [];
  const throttle = new ActivityThrottle({ startedAt: START, report: (at) => reports.push(at) });
  return { throttle, reports };
}

describe('ActivityThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports at once after a quiet interval', () => {
    const { throttle, reports } = createThrottle();
    vi.setSystemTime(START + ACTIVITY_REPORT_INTERVAL_MS);

    throttle.notify();

    expect(reports).toEqual([START + ACTIVITY_REPORT_INTERVAL_MS]);
    expect(throttle.lastReportedAt).toBe(START + ACTIVITY_REPORT_INTERVAL_MS);
  });

  it('folds events inside the interval into one trailing report', () => {
    const { throttle, reports } = createThrottle();

    vi.advanceTimersByTime(5_000);
    throttle.notify();
    vi.advanceTimersByTime(5_000);
    throttle.notify();
    throttle.notify();

    expect(reports).toEqual([]);
    vi.advanceTimersByTime(ACTIVITY_REPORT_INTERVAL_MS - 10_000);
    expect(reports).toEqual([START + ACTIVITY_REPORT_INTERVAL_MS]);
  });

  it('reports at most once per interval under constant activity', () => {
    const { throttle, reports } = createThrottle();

    for (let second = 1; second <= 120; second++) {
      vi.advanceTimersByTime(1_000);
      throttle.notify();
    }
    vi.runOnlyPendingTimers();

    const seconds = reports.map((at) => (at - START) / 1_000);
    expect(seconds).toEqual([30, 60, 90, 120, 150]);
  });

  it('sends nothing without activity', () => {
    const { reports } = createThrottle();
    vi.advanceTimersByTime(10 * ACTIVITY_REPORT_INTERVAL_MS);
    expect(reports).toEqual([]);
  });

  it('starts a new interval on restart', () => {
    const { throttle, reports } = createThrottle();
    vi.advanceTimersByTime(40_000);
    throttle.restart(Date.now());

    throttle.notify();
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(ACTIVITY_REPORT_INTERVAL_MS);
    expect(reports).toEqual([START + 40_000 + ACTIVITY_REPORT_INTERVAL_MS]);
  });

  it('drops a pending report on dispose', () => {
    const { throttle, reports } = createThrottle();
    vi.advanceTimersByTime(1_000);
    throttle.notify();

    throttle.dispose();
    vi.advanceTimersByTime(ACTIVITY_REPORT_INTERVAL_MS);

    expect(reports).toEqual([]);
  });

  it('honours a custom interval', () => {
    const reports: number[] = [];
    const throttle = new ActivityThrottle({ startedAt: START, intervalMs: 1_000, report: (at) => reports.push(at) });
    vi.advanceTimersByTime(1_000);

    throttle.notify();
    throttle.notify();
    vi.advanceTimersByTime(1_000);

    expect(reports).toEqual([START + 1_000, START + 2_000]);
  });
});
