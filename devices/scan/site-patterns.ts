import { SitePatternError } from './errors.js';

export type SitePatternName = 'wristband' | 'specimen';

/**
 * Compiles a wristband or specimen pattern from the site settings. The pattern must match the
 * whole scan, so `^` and `$` are added. Named groups `mrn` (wristband) and `accession` (specimen)
 * pick the identifier out of a longer label. Throws SitePatternError, which names the setting,
 * when the pattern is an invalid regular expression.
 */
export function compileSitePattern(source: string, setting: SitePatternName): RegExp {
  if (source.trim() === '') throw new SitePatternError(setting, source, 'it is empty');
  try {
    // Compiled alone first, so that a syntax error names the site's pattern rather than the anchored copy.
    new RegExp(source);
  } catch (error) {
    throw new SitePatternError(setting, source, (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, ''));
  }
  return new RegExp(`^(?:${source})$`);
}

export interface SitePatternMatch {
  readonly identifier: string;
  readonly groups: Record<string, string>;
}

/** Matches `data` against a site pattern as a whole. `group` names the capture that contains the identifier. */
export function matchSitePattern(pattern: RegExp, data: string, group: 'mrn' | 'accession'): SitePatternMatch | undefined {
  // Anchored afresh and without the g and y flags, so that a caller's RegExp neither matches part of
  // the scan nor carries lastIndex from one scan to the next.
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
  const match = anchored.exec(data);
  if (!match) return undefined;

  const groups = Object.fromEntries(Object.entries(match.groups ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { identifier: groups[group] ?? data, groups };
}
