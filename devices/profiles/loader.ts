import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ProfileIssue } from './issues.js';
import { profileIssuesFrom } from './issues.js';
import type { AnalyzerProfile } from './schema.js';
import { analyzerProfileSchema } from './schema.js';

export interface LoadedProfile {
  /** File name, without the folder. */
  readonly file: string;
  readonly profile: AnalyzerProfile;
}

export interface ProfileFileError {
  readonly file: string;
  readonly issues: readonly ProfileIssue[];
}

export interface ProfileLoadResult {
  readonly profiles: readonly LoadedProfile[];
  readonly errors: readonly ProfileFileError[];
}

/** The source of one profile file: its name and either its text or its already parsed JSON. */
export type ProfileSource = { readonly file: string; readonly text: string } | { readonly file: string; readonly json: unknown };

/**
 * Reads every `*.json` file in `directory` (not its subfolders) and validates each as an analyzer
 * profile. A bad file never stops the others: it is reported in `errors` with one issue per bad
 * field. Files are read in name order, so when two files declare the same id, the later one is
 * the one reported. Rejects only when the folder itself cannot be read.
 */
export async function loadProfiles(directory: string): Promise<ProfileLoadResult> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.json')).map((entry) => entry.name);
  files.sort();

  const sources: (ProfileSource | ProfileFileError)[] = [];
  for (const file of files) {
    try {
      sources.push({ file, text: await readFile(join(directory, file), 'utf8') });
    } catch (error) {
      sources.push({ file, issues: [{ path: '$', message: `cannot be read: ${(error as Error).message}`, hint: 'check that the file exists and the workstation user may read it' }] });
    }
  }
  return validateProfileSources(sources);
}

/** Validates profiles already in memory (the shipped ones); `loadProfiles` reads files into this. */
export function validateProfileSources(sources: readonly (ProfileSource | ProfileFileError)[]): ProfileLoadResult {
  const profiles: LoadedProfile[] = [];
  const errors: ProfileFileError[] = [];
  const filesById = new Map<string, string>();

  for (const source of sources) {
    if ('issues' in source) {
      errors.push(source);
      continue;
    }
    const result = 'text' in source ? parseProfileText(source.text) : validateProfileJson(source.json);
    if (!result.ok) {
      errors.push({ file: source.file, issues: result.issues });
      continue;
    }

    const earlier = filesById.get(result.profile.id);
    if (earlier) {
      errors.push({ file: source.file, issues: [{ path: '$.id', message: `"${result.profile.id}" is already the id of ${earlier}`, hint: 'give each profile its own id' }] });
      continue;
    }
    filesById.set(result.profile.id, source.file);
    profiles.push({ file: source.file, profile: result.profile });
  }
  return { profiles, errors };
}

/** Parses and validates the text of one profile file. */
export function parseProfileText(text: string): { ok: true; profile: AnalyzerProfile } | { ok: false; issues: ProfileIssue[] } {
  // A byte order mark is common in files saved by Windows editors and is not JSON.
  const withoutBom = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(withoutBom);
  } catch (error) {
    return { ok: false, issues: [jsonSyntaxIssue(withoutBom, error as Error)] };
  }

  return validateProfileJson(json);
}

/** Validates parsed JSON as an analyzer profile. */
export function validateProfileJson(json: unknown): { ok: true; profile: AnalyzerProfile } | { ok: false; issues: ProfileIssue[] } {
  // reportInput keeps each bad value in its issue, so that a missing field is distinguished from a wrong one.
  const result = analyzerProfileSchema.safeParse(json, { reportInput: true });
  if (!result.success) return { ok: false, issues: profileIssuesFrom(result.error) };
  return { ok: true, profile: result.data };
}

/** Formats load errors for a log or a terminal: one line per issue, each naming the file and field. */
export function formatProfileErrors(errors: readonly ProfileFileError[]): string {
  return errors
    .flatMap((error) => error.issues.map((issue) => `${error.file}: ${issue.path}: ${issue.message}${issue.hint ? ` (${issue.hint})` : ''}`))
    .join('\n');
}

function jsonSyntaxIssue(text: string, error: Error): ProfileIssue {
  const position = /at position (\d+)/.exec(error.message);
  const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
  return {
    path: '$',
    message: `is not valid JSON${where}: ${error.message}`,
    hint: 'check for a missing comma or quote, a trailing comma, or a comment (JSON allows none)',
  };
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
