import { describe, expect, it } from 'vitest';

import { formatAstmDateTime, formatHl7DateTime } from '../../../main/core/lab/host-query-time.js';

describe('host query timestamps', () => {
  it('writes FHIR dates as digits', () => {
    expect(formatAstmDateTime('1961-03-09', 'Asia/Tokyo')).toBe('19610309');
    expect(formatAstmDateTime('1961-03', 'UTC')).toBe('196103');
    expect(formatHl7DateTime('1961-03-09', 'America/New_York')).toBe('19610309');
  });

  it('writes ASTM times on the analyzer clock', () => {
    expect(formatAstmDateTime('2026-12-05T07:05:30Z', 'Europe/Berlin')).toBe('20261205080530');
    expect(formatAstmDateTime('2026-07-05T07:05:30Z', 'Europe/Berlin')).toBe('20260705090530');
    expect(formatAstmDateTime('2026-12-05T02:00:00+01:00', 'America/New_York')).toBe('20261204200000');
  });

  it('writes HL7 times with their offset', () => {
    expect(formatHl7DateTime('2026-12-05T07:05:30Z', 'Europe/Berlin')).toBe('20261205080530+0100');
    expect(formatHl7DateTime('2026-12-05T07:05:30Z', 'America/St_Johns')).toBe('20261205033530-0330');
    expect(formatHl7DateTime('2026-12-05T23:30:00Z', 'Asia/Kolkata')).toBe('20261206050000+0530');
  });

  it('writes nothing for absent or invalid values', () => {
    expect(formatAstmDateTime(undefined, 'UTC')).toBe('');
    expect(formatHl7DateTime('yesterday', 'UTC')).toBe('');
  });
});
