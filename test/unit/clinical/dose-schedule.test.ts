import { describe, expect, it } from 'vitest';

import { scheduledDoseTimes } from '../../../preload/api/clinical/dose-schedule.js';

const local = (day: number, hours: number, minutes = 0) => new Date(2026, 11, day, hours, minutes);

describe('scheduled dose times', () => {
  it('gives clock times of each day in the range', () => {
    const doses = scheduledDoseTimes({ timeOfDay: ['08:00:00', '20:00:00'] }, local(4, 0), local(6, 0));
    expect(doses).toEqual([local(4, 8), local(4, 20), local(5, 8), local(5, 20)]);
  });

  it('includes the start and excludes the end', () => {
    const doses = scheduledDoseTimes({ timeOfDay: ['08:00'] }, local(4, 8), local(5, 8));
    expect(doses).toEqual([local(4, 8)]);
  });

  it('keeps clock times inside the order bounds', () => {
    const schedule = { timeOfDay: ['06:00:00', '12:00:00', '18:00:00'], boundsStart: local(4, 9).toISOString(), boundsEnd: local(5, 12).toISOString() };
    expect(scheduledDoseTimes(schedule, local(4, 0), local(6, 0))).toEqual([local(4, 12), local(4, 18), local(5, 6), local(5, 12)]);
  });

  it('counts intervals from the order start', () => {
    const schedule = { timeOfDay: [], frequency: 3, period: 1, periodUnit: 'd' as const, boundsStart: local(3, 10).toISOString() };
    expect(scheduledDoseTimes(schedule, local(4, 0), local(5, 0))).toEqual([local(4, 2), local(4, 10), local(4, 18)]);
  });

  it('counts hourly periods', () => {
    const schedule = { timeOfDay: [], frequency: 1, period: 6, periodUnit: 'h' as const, boundsStart: local(4, 1, 30).toISOString() };
    expect(scheduledDoseTimes(schedule, local(4, 0), local(4, 14))).toEqual([local(4, 1, 30), local(4, 7, 30), local(4, 13, 30)]);
  });

  it('gives nothing without times or interval', () => {
    expect(scheduledDoseTimes({ timeOfDay: [] }, local(4, 0), local(5, 0))).toEqual([]);
  });
});
