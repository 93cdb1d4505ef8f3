import type { UpdateWindow } from '../core/policy.js';
import { WEEKDAYS } from '../core/policy.js';

type Weekday = (typeof WEEKDAYS)[number];

/** Wall-clock day and minute of the day of an instant, in a time zone (the system's when undefined). */
export function wallClock(instant: Date, timeZone?: string): { weekday: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value ?? '';
  const weekday = part('weekday') as Weekday;
  if (!WEEKDAYS.includes(weekday)) throw new Error(`Unexpected weekday "${weekday}" from Intl.DateTimeFormat`);
  return { weekday, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

function minuteOfDay(hourMinute: string): number {
  const [hour = 0, minute = 0] = hourMinute.split(':').map(Number);
  return hour * 60 + minute;
}

/**
 * Tells whether an instant lies inside the maintenance window. The window is wall-clock time, so
 * it follows daylight saving time. On the night the clocks skip its start, only the part after
 * the skipped hour remains. A window past midnight belongs to the day on which it opens.
 */
export function isInsideWindow(window: UpdateWindow, instant: Date): boolean {
  const { weekday, minute } = wallClock(instant, window.timeZone);
  const start = minuteOfDay(window.start);
  const end = minuteOfDay(window.end);

  if (start < end) return window.days.includes(weekday) && minute >= start && minute < end;

  const previousDay = WEEKDAYS[(WEEKDAYS.indexOf(weekday) + WEEKDAYS.length - 1) % WEEKDAYS.length] as Weekday;
  return (window.days.includes(weekday) && minute >= start) || (window.days.includes(previousDay) && minute < end);
}

/** Describes the window for a log line or a decision's reason, such as "Mon-Fri 02:00-04:30 Europe/Berlin". */
export function describeWindow(window: UpdateWindow): string {
  const days = window.days.length === WEEKDAYS.length ? 'daily' : window.days.join(',');
  return `${days} ${window.start}-${window.end} ${window.timeZone ?? 'local time'}`;
}
