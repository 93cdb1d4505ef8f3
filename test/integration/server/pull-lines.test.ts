import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ServerClient } from '../../../sync/client/server-client.js';
import type { CollectionName } from '../../../sync/protocol/collections.js';
import type { Checkpoint, WireDocument } from '../../../sync/protocol/wire.js';
import { PULL_LINES_MEDIA_TYPE, PULL_LINES_SUMMARY_PARAMETER } from '../../../sync/protocol/wire.js';
import type { SyncServer } from '../../../sync/server/app.js';
import type { TestStorage } from './helpers.js';
import { BACKENDS, createStorage, patientIdsOfWard, signIn, startServer, SyncClient, vitalSignsDocument, WARD_4A } from './helpers.js';

/**
 * A pull page as lines (`Accept: application/x-ndjson`), which the initial load requests: the same
 * documents, checkpoint and total as the JSON page, one document per line.
 */
describe.each(BACKENDS)('pull as lines on %s', (backend) => {
  let storage: TestStorage;
  let server: SyncServer;
  let nurse: SyncClient;
  let client: ServerClient;
  let token: string;

  beforeAll(async () => {
    storage = await createStorage(backend, 'pull_lines');
    server = await startServer(storage);
    nurse = await SyncClient.signIn(server.url, { wardId: WARD_4A, workstationId: 'ws-lines' });
    client = new ServerClient({ baseUrl: server.url });
    ({ token } = await signIn(server.url, 'nurse', WARD_4A, 'ws-lines-client'));
  });

  /** Pulls the whole feed as lines, checking that every document parses from its own text. */
  async function pullAllLines(collection: CollectionName): Promise<WireDocument[]> {
    const documents: WireDocument[] = [];
    let checkpoint: Checkpoint | undefined;
    for (;;) {
      const page = await client.pullLines(token, collection, checkpoint, 500);
      expect(page.texts.map((text) => JSON.parse(text.toString()) as unknown)).toEqual(page.documents);
      documents.push(...page.documents);
      if (page.documents.length < 500 || !page.checkpoint) return documents;
      checkpoint = page.checkpoint;
    }
  }

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await storage?.cleanup();
    }
  });

  it('matches the JSON page', async () => {
    const json = await client.pull(token, 'records', undefined, 7, { total: true });
    const lines = await client.pullLines(token, 'records', undefined, 7, { total: true });

    expect(json.documents).toHaveLength(7);
    expect(lines.documents).toEqual(json.documents);
    expect(lines.texts.map((text) => JSON.parse(text.toString()) as unknown)).toEqual(json.documents);
    expect(lines.checkpoint).toEqual(json.checkpoint);
    expect(lines.total).toBe(json.total);
  });

  it('pages on from a checkpoint', async () => {
    const first = await client.pullLines(token, 'records', undefined, 3);
    const query = new URLSearchParams({ limit: '3', checkpoint: JSON.stringify(first.checkpoint) });
    const response = await fetch(`${server.url}/sync/records/pull?${query}`, { headers: { authorization: `Bearer ${token}`, accept: PULL_LINES_MEDIA_TYPE } });
    const body = await response.text();

    expect(response.headers.get('content-type')).toContain(PULL_LINES_MEDIA_TYPE);
    const [header, ...documents] = body.trimEnd().split('\n');
    expect(JSON.parse(header as string)).toMatchObject({ documents: 3 });
    const next = await nurse.pull('records', first.checkpoint, 3);
    expect(documents.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(next.body.documents.map((document) => document.id));
  });

  // Each line: the document without its resource, a tab, then the document.
  it('sends summary lines when asked', async () => {
    const query = new URLSearchParams({ limit: '5' });
    const response = await fetch(`${server.url}/sync/records/pull?${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: `${PULL_LINES_MEDIA_TYPE}; ${PULL_LINES_SUMMARY_PARAMETER}` },
    });
    const [header, ...lines] = (await response.text()).trimEnd().split('\n');

    expect(response.headers.get('content-type')).toBe(`${PULL_LINES_MEDIA_TYPE}; ${PULL_LINES_SUMMARY_PARAMETER}; charset=utf-8`);
    expect(JSON.parse(header as string)).toMatchObject({ documents: 5 });
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const [summary, document, ...rest] = line.split('\t');
      expect(rest).toEqual([]);
      const { resource, ...fields } = JSON.parse(document as string) as WireDocument;
      expect(resource.resourceType).toBe(fields.resourceType);
      expect(JSON.parse(summary as string)).toEqual(fields);
    }
    // The client reads them as whole documents.
    const page = await client.pullLines(token, 'records', undefined, 5);
    expect(page.documents.map((document) => ({ ...document }))).toEqual(lines.map((line) => JSON.parse(line.split('\t')[1] as string) as unknown));
  });

  it('serves the page it read ahead as a fresh read would', async () => {
    const first = await client.pullLines(token, 'records', undefined, 3);
    // The server read this page while the last one travelled.
    const second = await client.pullLines(token, 'records', first.checkpoint ?? undefined, 3);
    const fresh = await nurse.pull('records', first.checkpoint, 3);

    expect(second.documents).toEqual(fresh.body.documents);
    expect(second.checkpoint).toEqual(fresh.body.checkpoint);
  });

  it('delivers a document written after a page was read ahead, once', async () => {
    const [patient] = await patientIdsOfWard(server, WARD_4A);
    const first = await client.pullLines(token, 'entries', undefined, 2);
    const entry = vitalSignsDocument('written-while-reading-ahead', patient as string);
    expect((await nurse.push('entries', [{ newDocumentState: entry }])).status).toBe(200);

    const ids = first.documents.map((document) => document.id);
    let checkpoint = first.checkpoint;
    // The second page is the one read ahead; the rest come in larger pages. The feed delivers a
    // write once every earlier transaction has ended, which may take a moment.
    for (let attempt = 0; attempt < 100 && !ids.includes(entry.id); attempt += 1) {
      const page = await client.pullLines(token, 'entries', checkpoint ?? undefined, attempt === 0 ? 2 : 500);
      ids.push(...page.documents.map((document) => document.id));
      if (page.documents.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      checkpoint = page.checkpoint ?? checkpoint;
    }
    const feed = await nurse.pullAll('entries');

    expect(ids.filter((id) => id === entry.id)).toEqual([entry.id]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(feed.documents.map((document) => document.id).slice(0, ids.length));
  });

  it('escapes line breaks in documents', async () => {
    const [patient] = await patientIdsOfWard(server, WARD_4A);
    const entry = vitalSignsDocument('lines-note', patient as string);
    entry.resource.note = [{ text: 'Refused the cuff on the left arm.\nRetaken on the right.' }];
    expect((await nurse.push('entries', [{ newDocumentState: entry }])).status).toBe(200);

    // The feed delivers a write once every earlier transaction has ended, which may take a moment.
    let found: WireDocument | undefined;
    for (let attempt = 0; attempt < 100 && !found; attempt += 1) {
      found = (await pullAllLines('entries')).find((document) => document.id === entry.id);
      if (!found) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(found?.resource.note).toEqual(entry.resource.note);
  });

  it('ends the feed with a header', async () => {
    const { checkpoint } = await nurse.pullAll('reference');
    const page = await client.pullLines(token, 'reference', checkpoint ?? undefined, 10, { total: true });

    expect(page.documents).toEqual([]);
    expect(page.texts).toEqual([]);
    expect(page.checkpoint).toEqual(checkpoint);
    expect(page.total).toBe(0);
  });
});
