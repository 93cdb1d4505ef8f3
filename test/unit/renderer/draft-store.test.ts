import { describe, expect, it } from 'vitest';

import { VitalsDraftStore, draftsOfUser } from '../../../renderer/src/vitals/draft-store.js';
import { emptyDraft } from '../../../renderer/src/vitals/vitals-draft.js';

const pulseDraft = { ...emptyDraft, pulse: '80' };
const spo2Draft = { ...emptyDraft, spo2: '93' };

describe('VitalsDraftStore', () => {
  it('keeps drafts for the same user', () => {
    const store = new VitalsDraftStore();
    store.set('user-1', 'pat-1', pulseDraft);

    expect(store.get('user-1', 'pat-1')).toEqual(pulseDraft);
  });

  it('hides one user’s drafts from another', () => {
    const store = new VitalsDraftStore();
    store.set('user-1', 'pat-1', pulseDraft);

    expect(store.get('user-2', 'pat-1')).toBeUndefined();
    expect(store.countPatients('user-2')).toBe(0);
  });

  it('keeps both users’ drafts for one patient', () => {
    const store = new VitalsDraftStore();
    store.set('user-1', 'pat-1', pulseDraft);
    store.set('user-2', 'pat-1', spo2Draft);

    expect(store.get('user-1', 'pat-1')).toEqual(pulseDraft);
    expect(store.get('user-2', 'pat-1')).toEqual(spo2Draft);
  });

  it('counts patients per user', () => {
    const store = new VitalsDraftStore();
    store.set('user-1', 'pat-1', pulseDraft);
    store.set('user-1', 'pat-2', spo2Draft);
    store.set('user-1', 'pat-2', pulseDraft);
    store.set('user-2', 'pat-3', pulseDraft);

    expect(store.countPatients('user-1')).toBe(2);
    expect(store.countPatients('user-2')).toBe(1);
  });

  it('deletes one patient’s draft', () => {
    const store = new VitalsDraftStore();
    store.set('user-1', 'pat-1', pulseDraft);
    store.set('user-1', 'pat-2', spo2Draft);

    store.delete('user-1', 'pat-1');
    store.delete('user-9', 'pat-1');

    expect(store.get('user-1', 'pat-1')).toBeUndefined();
    expect(store.countPatients('user-1')).toBe(1);
  });

  it('discards only the signed-out user’s drafts', () => {
    const store = new VitalsDraftStore();
    store.set('user-1', 'pat-1', pulseDraft);
    store.set('user-2', 'pat-1', spo2Draft);

    store.discardUser('user-1');

    expect(store.get('user-1', 'pat-1')).toBeUndefined();
    expect(store.countPatients('user-1')).toBe(0);
    expect(store.get('user-2', 'pat-1')).toEqual(spo2Draft);
  });
});

describe('draftsOfUser', () => {
  it('reads and writes only that user’s drafts', () => {
    const store = new VitalsDraftStore();
    const first = draftsOfUser(store, 'user-1');
    const second = draftsOfUser(store, 'user-2');

    first.set('pat-1', pulseDraft);
    second.set('pat-2', spo2Draft);
    second.delete('pat-1');

    expect(first.get('pat-1')).toEqual(pulseDraft);
    expect(first.get('pat-2')).toBeUndefined();
    expect(first.countPatients()).toBe(1);
    expect(store.get('user-2', 'pat-2')).toEqual(spo2Draft);
  });
});
