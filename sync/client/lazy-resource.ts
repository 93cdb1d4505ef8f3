import type { WireDocument, WireSummary } from '../protocol/wire.js';
import { wireDocument } from '../protocol/wire.js';

/**
 * Pulled documents whose FHIR resource is parsed only when read.
 *
 * The initial load receives summary lines (see PULL_LINES_SUMMARY_PARAMETER): every field the
 * replica indexes comes in the small summary, and the document's text goes to the replica as it
 * came. Most loaded documents are vital signs that nothing reads while they load. Parsing each
 * one's 2 KB resource only to drop it, and collecting the parsed objects, took up to 30 % of the
 * core's CPU (docs/benchmarks.md, "Summary lines"). The change events still carry a whole
 * document, and code that reads its `resource`, such as the patient index, gets it parsed then.
 */

const resourceSchema = wireDocument.shape.resource;

/**
 * Turns the summary of a pulled document into the document: its `resource` property parses the
 * document's `text` on first read and keeps the result. An assignment replaces it, as on a plain
 * object. The property is enumerable, so spreading or serialising the document includes it.
 */
export function withLazyResource(summary: WireSummary, text: string | Buffer): WireDocument {
  let resource: WireDocument['resource'] | undefined;
  Object.defineProperty(summary, 'resource', {
    enumerable: true,
    configurable: true,
    get: () => (resource ??= parseResource(summary.id, text)),
    set: (value: WireDocument['resource']) => {
      resource = value;
    },
  });
  return summary as WireDocument;
}

/**
 * Parses the resource out of a document's text. The server writes both the summary and the text
 * from one stored document, so a failure here means a damaged page. The error names the document.
 */
function parseResource(id: string, text: string | Buffer): WireDocument['resource'] {
  let document: unknown;
  try {
    document = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch {
    throw new Error(`The pulled document ${id} is not valid JSON, although its summary was; the server sent a damaged page`);
  }
  const checked = resourceSchema.safeParse((document as { resource?: unknown } | null)?.resource);
  if (!checked.success) throw new Error(`The pulled document ${id} has no valid resource: ${checked.error.message}`);
  // The parsed value, not the schema's copy, as for a whole pulled document (pull-lines.ts).
  return (document as { resource: WireDocument['resource'] }).resource;
}
