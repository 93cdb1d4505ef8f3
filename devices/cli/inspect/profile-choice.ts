import { readFile, stat } from 'node:fs/promises';

import type { AnalyzerProfile } from '../../profiles/index.js';
import { formatProfileErrors, loadShippedProfiles, matchTestCode, parseProfileText, testCodeKey } from '../../profiles/index.js';

export type ProfileLoad = { readonly ok: true; readonly profile: AnalyzerProfile } | { readonly ok: false; readonly message: string };

/**
 * Loads the profile `--profile` names: a JSON file when the value is a path to one, else the
 * shipped profile with that id.
 */
export async function loadRequestedProfile(value: string): Promise<ProfileLoad> {
  if (await isFile(value)) return loadProfileFile(value);
  if (/[/\\]|\.json$/i.test(value)) return { ok: false, message: `--profile ${value}: no such file. Give the path of a profile JSON file or the id of a shipped profile` };

  const shipped = loadShippedProfiles().profiles.map((loaded) => loaded.profile);
  const profile = shipped.find((candidate) => candidate.id === value);
  if (profile) return { ok: true, profile };
  return { ok: false, message: `--profile ${value}: no shipped profile has this id and no file has this name. Shipped profiles: ${shipped.map((candidate) => candidate.id).join(', ')}` };
}

export interface ProfileChoice {
  readonly profile?: AnalyzerProfile;
  /** The reason no profile was chosen, when none was. */
  readonly reason?: { readonly code: 'no-profile-fits' | 'ambiguous-profile'; readonly message: string };
}

/**
 * Picks the shipped profile of `protocol` that maps the most of the capture's test codes, each
 * given as the components of its test id field. Only profiles that map or ignore at least half of
 * the codes count, so that a profile sharing a few LOINC codes with an unrelated sender is not
 * taken for its profile. A tie goes to the profile whose model the sender names (ASTM H.5, HL7
 * MSH-3 and MSH-4). A tie that remains picks none, because guessing the analyzer would map tests
 * to the wrong LOINC codes.
 */
export function chooseShippedProfile(protocol: AnalyzerProfile['protocol']['name'], testIds: readonly (readonly string[])[], sender: string): ProfileChoice {
  const candidates = loadShippedProfiles()
    .profiles.map((loaded) => loaded.profile)
    .filter((profile) => profile.protocol.name === protocol)
    .map((profile) => ({ profile, score: scoreOf(profile, testIds), named: names(sender, profile.model) }))
    .filter((candidate) => candidate.score > 0 && candidate.score * 2 >= testIds.length)
    .sort((a, b) => b.score - a.score || Number(b.named) - Number(a.named));

  const [best, second] = candidates;
  if (!best) {
    return { reason: { code: 'no-profile-fits', message: 'No shipped profile maps at least half of the test codes in the capture; the results are shown unmapped. Pass --profile to use one' } };
  }
  if (second && second.score === best.score && second.named === best.named) {
    return {
      reason: {
        code: 'ambiguous-profile',
        message: `Shipped profiles ${best.profile.id} and ${second.profile.id} map the capture's test codes equally well; the results are shown unmapped. Pass --profile to pick one`,
      },
    };
  }
  return { profile: best.profile };
}

function scoreOf(profile: AnalyzerProfile, testIds: readonly (readonly string[])[]): number {
  return testIds.filter((components) => matchTestCode(profile, testCodeKey(components, profile.protocol.testCodeComponents)).kind !== 'unmapped').length;
}

function names(sender: string, model: string): boolean {
  const normalize = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return normalize(model) !== '' && normalize(sender).includes(normalize(model));
}

async function loadProfileFile(path: string): Promise<ProfileLoad> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, message: `--profile ${path} cannot be read (${(error as Error).message}): check that the workstation user may read it` };
  }
  const result = parseProfileText(text);
  if (result.ok) return { ok: true, profile: result.profile };
  return { ok: false, message: `--profile ${path} is not a valid analyzer profile:\n${formatProfileErrors([{ file: path, issues: result.issues }])}` };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
