import type { Checkpoint, PullLinesHeader, WireDocument } from '../protocol/wire.js';
import { isWireSummary, pullLinesHeader, wireDocument, wireSummary } from '../protocol/wire.js';
import { withLazyResource } from './lazy-resource.js';

/**
 * The JSON of a document as it came: text from plain lines, UTF-8 bytes from summary lines. The
 * replica stores either as it is (sqlite-instance.ts).
 */
export type DocumentText = string | Buffer;

/** A pull page read from lines (see PULL_LINES_MEDIA_TYPE): the documents and the JSON each came as. */
export interface PullLinesResponse {
  documents: WireDocument[];
  /** The JSON of each document, at the same index as in `documents`. */
  texts: DocumentText[];
  checkpoint: Checkpoint | null;
  total?: number;
}

const NEWLINE = 0x0a;
const TAB = 0x09;
const OPENING_BRACE = 0x7b;
export const CLOSING_BRACE = 0x7d;

/**
 * Reads a pull page sent as plain lines. Each document is checked against the wire schema as in a
 * JSON page. Throws a message that names the line when a line is not a document, or when fewer or
 * more lines came than the header announced, as when a proxy cut the body.
 */
export function parsePullLines(body: string): PullLinesResponse {
  let start = 0;
  let lineNumber = 0;
  const nextLine = (): string | undefined => {
    if (start >= body.length) return undefined;
    lineNumber += 1;
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    const line = body.slice(start, end);
    start = end + 1;
    return line;
  };
  const header = readHeader(nextLine());

  const documents: WireDocument[] = [];
  const texts: string[] = [];
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (line.length === 0) continue;
    const value = parseLine(line, lineNumber);
    const checked = wireDocument.safeParse(value);
    if (!checked.success) throw new Error(`line ${lineNumber} is not a valid document: ${checked.error.message}`);
    // The parsed value, not the schema's copy: it matches the text exactly, and no copy is left to collect.
    documents.push(value as WireDocument);
    texts.push(line);
  }
  return page(header, documents, texts);
}

/**
 * Reads a pull page of summary lines (see PULL_LINES_SUMMARY_PARAMETER) from the body's bytes.
 * Each summary is decoded and checked against the wire schema. Each document stays bytes, a view
 * into `body`, and its resource is parsed only when read (lazy-resource.ts). Decoding the whole
 * body had cost as much as parsing the summaries: one character beyond ASCII, such as the degree
 * sign of a temperature, makes V8 decode a page into a string of two bytes per character. Throws
 * as parsePullLines does.
 */
export function parseSummaryLines(body: Buffer): PullLinesResponse {
  let start = 0;
  let lineNumber = 0;
  const nextLine = (): { start: number; end: number } | undefined => {
    if (start >= body.length) return undefined;
    lineNumber += 1;
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    const line = { start, end };
    start = end + 1;
    return line;
  };
  const first = nextLine();
  const header = readHeader(first && body.toString('utf8', first.start, first.end));

  const documents: WireDocument[] = [];
  const texts: Buffer[] = [];
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (line.end === line.start) continue;
    const tab = body.indexOf(TAB, line.start);
    if (tab === -1 || tab > line.end) throw new Error(`line ${lineNumber} has no tab between a summary and a document`);
    const summary = parseLine(body.toString('utf8', line.start, tab), lineNumber);
    if (!isWireSummary(summary)) {
      const checked = wireSummary.safeParse(summary);
      throw new Error(`line ${lineNumber} is not a valid document summary: ${checked.error?.message ?? 'it breaks the wire schema'}`);
    }
    // A cut line ends before its closing brace; the header's count catches a missing line.
    const text = body.subarray(tab + 1, line.end);
    if (text[0] !== OPENING_BRACE || text[text.length - 1] !== CLOSING_BRACE) throw new Error(`line ${lineNumber} does not hold a whole document after its summary`);
    documents.push(withLazyResource(summary, text));
    texts.push(text);
  }
  return page(header, documents, texts);
}

function readHeader(line: string | undefined): PullLinesHeader {
  if (line === undefined) throw new Error('the body is empty, and a header line was expected');
  const header = pullLinesHeader.safeParse(parseLine(line, 1));
  if (!header.success) throw new Error(`line 1 is not a valid pull page header: ${header.error.message}`);
  return header.data;
}

function page(header: PullLinesHeader, documents: WireDocument[], texts: DocumentText[]): PullLinesResponse {
  if (documents.length !== header.documents) {
    throw new Error(`the header announced ${header.documents} documents, but ${documents.length} arrived`);
  }
  return { documents, texts, checkpoint: header.checkpoint, ...(header.total === undefined ? {} : { total: header.total }) };
}

function parseLine(line: string, number: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new Error(`line ${number} is not valid JSON`);
  }
}
