import { readFileSync } from 'node:fs';

import type { AstmMessage } from '../../../../../devices/astm/index.js';
import { parseAstmMessages, readAstmFrames } from '../../../../../devices/astm/index.js';
import type { AnalyzerProfile } from '../../../../../devices/profiles/index.js';
import { loadShippedProfiles } from '../../../../../devices/profiles/index.js';
import type { LabResultDraft, LabResultMapping, ReviewReasonCode } from '../../../../../devices/results/index.js';

/** Reads a file under test/fixtures. */
export function fixture(path: string): Buffer {
  return readFileSync(new URL(`../../../../fixtures/${path}`, import.meta.url));
}

/** Returns the shipped profile with this id, failing the test when there is none. */
export function shippedProfile(id: string): AnalyzerProfile {
  const profile = loadShippedProfiles().profiles.find((loaded) => loaded.profile.id === id)?.profile;
  if (!profile) throw new Error(`no shipped profile has the id ${id}`);
  return profile;
}

/**
 * Parses the records of a capture of E1381 frames as the analyzer meant them: the text of every
 * frame, joined, whatever the link layer would have replied.
 */
export function astmMessagesOf(bytes: Uint8Array): AstmMessage[] {
  const frames = readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' ? [token.frame] : []));
  return parseAstmMessages(Buffer.concat(frames.map((frame) => frame.text)));
}

/** Lists every result draft of a mapping, in message order. */
export function resultsOf(mapping: LabResultMapping): LabResultDraft[] {
  return mapping.groups.flatMap((group) => group.results);
}

/** Finds the result at `location` (such as `R[3]` or `OBX[5]`), failing the test when there is none. */
export function resultAt(mapping: LabResultMapping, location: string): LabResultDraft {
  const result = resultsOf(mapping).find((draft) => draft.location === location);
  if (!result) throw new Error(`the mapping has no result at ${location}`);
  return result;
}

/** Lists the review reason codes of a result, in the order the mapping gives them. */
export function reviewCodes(result: LabResultDraft): ReviewReasonCode[] {
  return result.review.map((reason) => reason.code);
}

/** Returns the LOINC code a result is mapped to, or undefined. */
export function loincOf(result: LabResultDraft): string | undefined {
  return result.match.kind === 'mapped' ? result.match.mapping.loinc : undefined;
}
