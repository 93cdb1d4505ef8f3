import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parsePullLines, parseSummaryLines } from '../../../sync/client/pull-lines.js';
import { ServerClient } from '../../../sync/client/server-client.js';

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

/** Returns the server's summary of a document line: the document without its resource. */
function summaryOf(text: string): string {
  const { resource: _resource, ...summary } = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(summary);
}

describe('parseSummaryLines', () => {
  const body = (...texts: string[]) => Buffer.from(`${JSON.stringify({ ...HEADER, documents: texts.length })}\n${texts.map((text) => `${summaryOf(text)}\t${text}`).join('\n')}\n`);

  it('returns the documents whole, beside the texts they came as', () => {
    const page = parseSummaryLines(body(FIRST, SECOND));

    expect(page.texts.map(String)).toEqual([FIRST, SECOND]);
    expect(page.documents).toEqual([JSON.parse(FIRST), JSON.parse(SECOND)]);
    expect(JSON.parse(JSON.stringify(page.documents[1]))).toEqual(JSON.parse(SECOND));
    expect(page.documents[1]?.resource.note).toBe('a\nb');
    expect(page.checkpoint).toEqual(HEADER.checkpoint);
  });

  it('keeps characters beyond ASCII in summaries, resources and bytes', () => {
    const text = '{"id": "Patient/p3", "nameNorm": "müller 😀", "resource": {"id": "p3", "resourceType": "Patient", "note": "37.1 °C"}, "_deleted": false, "resourceType": "Patient"}';
    const page = parseSummaryLines(body(text));

    expect(page.documents[0]?.nameNorm).toBe('müller 😀');
    expect(page.documents[0]?.resource.note).toBe('37.1 °C');
    expect(Buffer.compare(page.texts[0] as Buffer, Buffer.from(text))).toBe(0);
  });

  it('parses a resource only when it is read', () => {
    // The summary is valid but the document's text is not: the page still reads.
    const damaged = `${summaryOf(FIRST)}\t{"id": "Patient/p1", "resource": {"id": "p1",}`;
    const page = parseSummaryLines(Buffer.from(`${JSON.stringify({ ...HEADER, documents: 1 })}\n${damaged}\n`));

    expect(page.documents[0]?.id).toBe('Patient/p1');
    expect(page.documents[0]?._deleted).toBe(false);
    expect(() => page.documents[0]?.resource).toThrow('The pulled document Patient/p1 is not valid JSON');
  });

  it('keeps a resource assigned to the document', () => {
    const [document] = parseSummaryLines(body(FIRST)).documents;
    if (!document) throw new Error('expected a document');
    document.resource = { resourceType: 'Patient', id: 'replaced' };

    expect(document.resource.id).toBe('replaced');
    expect({ ...document }.resource).toEqual({ resourceType: 'Patient', id: 'replaced' });
  });

  it('names an invalid summary line', () => {
    const header = JSON.stringify({ ...HEADER, documents: 1 });
    const withoutFlag = summaryOf(FIRST).replace(',"_deleted":false', '');

    expect(() => parseSummaryLines(Buffer.from(`${header}\n${FIRST}\n`))).toThrow('line 2 has no tab between a summary and a document');
    expect(() => parseSummaryLines(Buffer.from(`${header}\n${withoutFlag}\t${FIRST}\n`))).toThrow(/^line 2 is not a valid document summary/);
    expect(() => parseSummaryLines(Buffer.from(`${header}\n${summaryOf(FIRST)}\t${FIRST.slice(0, 40)}`))).toThrow('line 2 does not hold a whole document after its summary');
  });
});

describe('ServerClient.pullLines', () => {
  let server: Server;
  let contentType: string;
  let accept: string | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      accept = request.headers.accept;
      response.writeHead(200, { 'content-type': contentType });
      const lines = contentType.includes('summary=1') ? [FIRST].map((text) => `${summaryOf(text)}\t${text}`) : [FIRST];
      response.end(`${JSON.stringify({ ...HEADER, documents: 1 })}\n${lines.join('\n')}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () => new ServerClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });

  it('asks for summary lines and reads them', async () => {
    contentType = 'application/x-ndjson; summary=1; charset=utf-8';
    const page = await client().pullLines('token', 'records', undefined, 10);

    expect(accept).toBe('application/x-ndjson; summary=1');
    expect(page.documents).toEqual([JSON.parse(FIRST)]);
  });

  it('reads plain lines from a server without summaries', async () => {
    contentType = 'application/x-ndjson; charset=utf-8';
    const page = await client().pullLines('token', 'records', undefined, 10);

    expect(page.documents).toEqual([JSON.parse(FIRST)]);
    expect(page.texts).toEqual([FIRST]);
  });
});
