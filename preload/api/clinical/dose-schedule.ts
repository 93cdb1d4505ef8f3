/**
 * Scheduled dose times of a medication order, derived from its FHIR Timing: clock times of each
 * day (`repeat.timeOfDay`, local time of the workstation, as the ward's drug rounds are), or an
 * interval (`frequency` doses per `period` `periodUnit`) counted from `boundsPeriod.start`. Pure:
 * the caller gives the time range, so tests decide what "now" is.
 */

export interface DoseSchedule {
  /** Clock times `HH:MM` or `HH:MM:SS`, local. */
  timeOfDay: readonly string[];
  frequency?: number;
  period?: number;
  periodUnit?: 'min' | 'h' | 'd';
  /** First and last moment a dose may be scheduled (FHIR dateTime); open when absent. */
  boundsStart?: string;
  boundsEnd?: string;
}

const HOUR_MS = 60 * 60 * 1000;
const UNIT_MS = { min: 60_000, h: HOUR_MS, d: 24 * HOUR_MS } as const;
/** Upper bound of doses returned for one range, so that a malformed order cannot stall a screen. */
const MAX_DOSES = 500;

function localDayStart(at: Date): Date {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate());
}

function atClockTime(day: Date, time: string): Date {
  const [hours = 0, minutes = 0, seconds = 0] = time.split(':').map(Number);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes, seconds);
}

/** Clock-time doses of each local day that overlaps the range. */
function clockTimeDoses(times: readonly string[], from: Date, to: Date): Date[] {
  const doses: Date[] = [];
  for (let day = localDayStart(from); day.getTime() < to.getTime() && doses.length < MAX_DOSES; day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)) {
    for (const time of times) doses.push(atClockTime(day, time));
  }
  return doses;
}

/** Interval doses: every period / frequency from the anchor, or from the first day's midnight without one. */
function intervalDoses(schedule: DoseSchedule, from: Date, to: Date): Date[] {
  const { frequency, period, periodUnit } = schedule;
  if (!frequency || !period || !periodUnit) return [];
  const interval = (period * UNIT_MS[periodUnit]) / frequency;
  const anchor = schedule.boundsStart ? new Date(schedule.boundsStart).getTime() : localDayStart(from).getTime();
  const first = Math.max(0, Math.ceil((from.getTime() - anchor) / interval));
  const doses: Date[] = [];
  for (let index = first; anchor + index * interval < to.getTime() && doses.length < MAX_DOSES; index++) doses.push(new Date(anchor + index * interval));
  return doses;
}

/** Returns the scheduled dose times in `[from, to)`, in time order, inside the order's bounds. */
export function scheduledDoseTimes(schedule: DoseSchedule, from: Date, to: Date): Date[] {
  const start = schedule.boundsStart ? new Date(schedule.boundsStart).getTime() : Number.NEGATIVE_INFINITY;
  const end = schedule.boundsEnd ? new Date(schedule.boundsEnd).getTime() : Number.POSITIVE_INFINITY;
  const candidates = schedule.timeOfDay.length > 0 ? clockTimeDoses(schedule.timeOfDay, from, to) : intervalDoses(schedule, from, to);
  return candidates
    .filter((dose) => dose.getTime() >= from.getTime() && dose.getTime() < to.getTime() && dose.getTime() >= start && dose.getTime() <= end)
    .sort((a, b) => a.getTime() - b.getTime());
}
