import { describe, expect, it } from 'vitest';

import type { WardPatientRow } from '../../../preload/api/index.js';
import { newerIncompleteSet } from '../../../renderer/src/ward/newer-incomplete-set.js';

type Row = Pick<WardPatientRow, 'latestNews2' | 'latestVitals'>;

function news2At(effectiveDateTime: string): NonNullable<WardPatientRow['latestNews2']> {
  return { total: 0, responseLevel: 'zero', singleParameterThree: false, effectiveDateTime };
}

function setAt(effectiveDateTime: string, complete: boolean, singleParameterThree = false): NonNullable<WardPatientRow['latestVitals']> {
  return { effectiveDateTime, complete, singleParameterThree };
}

describe('newerIncompleteSet', () => {
  it('shows a newer incomplete set', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T08:00:00Z'), latestVitals: setAt('2026-12-05T09:00:00Z', false) };
    expect(newerIncompleteSet(row)).toEqual({ effectiveDateTime: '2026-12-05T09:00:00Z', singleParameterThree: false });
  });

  it('carries a score of 3 in one parameter', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T08:00:00Z'), latestVitals: setAt('2026-12-05T09:00:00Z', false, true) };
    expect(newerIncompleteSet(row)?.singleParameterThree).toBe(true);
  });

  it('shows an incomplete set without any NEWS2', () => {
    const row: Row = { latestNews2: null, latestVitals: setAt('2026-12-05T09:00:00Z', false, true) };
    expect(newerIncompleteSet(row)).toEqual({ effectiveDateTime: '2026-12-05T09:00:00Z', singleParameterThree: true });
  });

  it('hides a complete newest set', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T09:00:00Z'), latestVitals: setAt('2026-12-05T09:00:00Z', true) };
    expect(newerIncompleteSet(row)).toBeNull();
  });

  it('hides nothing for a row without sets', () => {
    expect(newerIncompleteSet({ latestNews2: null, latestVitals: null })).toBeNull();
  });

  it('hides an incomplete set older than the NEWS2', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T09:00:00Z'), latestVitals: setAt('2026-12-05T08:59:59Z', false, true) };
    expect(newerIncompleteSet(row)).toBeNull();
  });

  it('shows an incomplete set taken at the same time', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T09:00:00Z'), latestVitals: setAt('2026-12-05T10:00:00+01:00', false, true) };
    expect(newerIncompleteSet(row)).not.toBeNull();
  });

  it('compares times across offsets', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T09:30:00Z'), latestVitals: setAt('2026-12-05T10:00:00+01:00', false) };
    expect(newerIncompleteSet(row)).toBeNull();
  });

  it('shows a set whose time cannot be read', () => {
    const row: Row = { latestNews2: news2At('2026-12-05T09:00:00Z'), latestVitals: setAt('not a time', false, true) };
    expect(newerIncompleteSet(row)).not.toBeNull();
  });
});
