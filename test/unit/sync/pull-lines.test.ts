import { describe, expect, it } from 'vitest';

import { parsePullLines } from '../../../sync/client/pull-lines.js';

const HEADER = { checkpoint: { txid: '42', id: 'Patient/p2' }, documents: 2, total: 9 };
const FIRST = '{"id": "Patient/p1", "resource": {"id": "p1", "resourceType": "Patient"}, "_deleted": false, "resourceType": "Patient"}';
const SECOND = '{"id": "Patient/p2", "resource": {"id": "p2", "resourceType": "Patient", "note": "a\\nb"}, "_deleted": false, "resourceType": "Patient"}';

describe('parsePullLines', () => {
  it('returns documents beside their texts', () => {
    const page = parsePullLines(`${JSON.stringify(HEADER)}\n${FIRST}\n${SECOND}\n`);

    expect(page.texts).toEqual([FIRST, SECOND]);
    expect(page.documents).toEqual([JSON.parse(FIRST), JSON.parse(SECOND)]);
    expect(page.documents[1]?.resource.note).toBe('a\nb');
    expect(page.checkpoint).toEqual(HEADER.checkpoint);
    expect(page.total).toBe(9);
  });

  it('reads empty and unterminated pages', () => {
    expect(parsePullLines(`${JSON.stringify({ checkpoint: null, documents: 0 })}\n`)).toEqual({ documents: [], texts: [], checkpoint: null });
    expect(parsePullLines(`${JSON.stringify(HEADER)}\n${FIRST}\n${SECOND}`).texts).toEqual([FIRST, SECOND]);
  });

  it('rejects a cut body', () => {
    expect(() => parsePullLines(`${JSON.stringify(HEADER)}\n${FIRST}\n`)).toThrow('the header announced 2 documents, but 1 arrived');
    expect(() => parsePullLines(`${JSON.stringify(HEADER)}\n${FIRST}\n${SECOND.slice(0, 40)}`)).toThrow('line 3 is not valid JSON');
  });

  it('names the invalid line', () => {
    const withoutFlag = FIRST.replace(', "_deleted": false', '');

    expect(() => parsePullLines(`${JSON.stringify(HEADER)}\n${FIRST}\n${withoutFlag}\n`)).toThrow(/^line 3 is not a valid document/);
    expect(() => parsePullLines(`{"documents": 1}\n${FIRST}\n`)).toThrow(/^line 1 is not a valid pull page header/);
    expect(() => parsePullLines('')).toThrow('the body is empty');
    expect(() => parsePullLines(`${JSON.stringify(HEADER)}\n\n${FIRST}\n${withoutFlag}\n`)).toThrow(/^line 4 is not a valid document/);
  });
});
