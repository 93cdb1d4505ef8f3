import type { Checkpoint, WireDocument, WireSummary } from '../protocol/wire.js';
import { pullLinesHeader, wireDocument, wireSummary } from '../protocol/wire.js';
import { withLazyResource } from './lazy-resource.js';

/** A pull page read from lines (see PULL_LINES_MEDIA_TYPE): the documents and the JSON text each came as. */
export interface PullLinesResponse {
  documents: WireDocument[];
  /** The text of each document, at the same index as in `documents`. */
  texts: string[];
  checkpoint: Checkpoint | null;
  total?: number;
}

export interface PullLinesOptions {
  /**
   * The server sent summary lines (see PULL_LINES_SUMMARY_PARAMETER): each document's summary is
   * checked, and its resource is parsed only when read (lazy-resource.ts).
   */
  summaries?: boolean;
}

/**
 * Reads a pull page sent as lines. Each document, or with `summaries` each summary, is checked
 * against the wire schema as in a JSON page. Throws a message that names the line when a line is
 * not a document, or when fewer or more lines came than the header announced, as when a proxy
 * cut the body.
 */
export function parsePullLines(body: string, options: PullLinesOptions = {}): PullLinesResponse {
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
  const headerLine = nextLine();
  if (headerLine === undefined) throw new Error('the body is empty, and a header line was expected');
  const header = pullLinesHeader.safeParse(parseLine(headerLine, 1));
  if (!header.success) throw new Error(`line 1 is not a valid pull page header: ${header.error.message}`);

  const documents: WireDocument[] = [];
  const texts: string[] = [];
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    if (line.length === 0) continue;
    if (options.summaries) {
      const { document, text } = summaryLine(line, lineNumber);
      documents.push(document);
      texts.push(text);
      continue;
    }
    const value = parseLine(line, lineNumber);
    const checked = wireDocument.safeParse(value);
    if (!checked.success) throw new Error(`line ${lineNumber} is not a valid document: ${checked.error.message}`);
    // The parsed value, not the schema's copy: it matches the text exactly, and no copy is left to collect.
    documents.push(value as WireDocument);
    texts.push(line);
  }
  if (documents.length !== header.data.documents) {
    throw new Error(`the header announced ${header.data.documents} documents, but ${documents.length} arrived`);
  }
  return { documents, texts, checkpoint: header.data.checkpoint, ...(header.data.total === undefined ? {} : { total: header.data.total }) };
}

/** Reads a summary line: the summary, a tab, and the document's text, which stays unparsed. */
function summaryLine(line: string, number: number): { document: WireDocument; text: string } {
  const tab = line.indexOf('\t');
  if (tab === -1) throw new Error(`line ${number} has no tab between a summary and a document`);
  const summary = parseLine(line.slice(0, tab), number);
  const checked = wireSummary.safeParse(summary);
  if (!checked.success) throw new Error(`line ${number} is not a valid document summary: ${checked.error.message}`);
  const text = line.slice(tab + 1);
  // A cut line ends before its closing brace; the header's count catches a missing line.
  if (!text.startsWith('{') || !text.trimEnd().endsWith('}')) throw new Error(`line ${number} does not hold a whole document after its summary`);
  return { document: withLazyResource(summary as WireSummary, text), text };
}

function parseLine(line: string, number: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new Error(`line ${number} is not valid JSON`);
  }
}
