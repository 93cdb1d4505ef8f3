/** Where a policy value can come from, highest precedence first. */
export const POLICY_LEVELS = ['mandatory', 'ward', 'user', 'recommended', 'default'] as const;
export type PolicyLevel = (typeof POLICY_LEVELS)[number];

/**
 * The values one source sets at one level, before validation. `source` names the file, registry
 * key or preference domain, so that a report and a log line point IT at the place to fix.
 */
export interface PolicyLayer {
  level: PolicyLevel;
  source: string;
  /** Machine-wide sources take precedence over a user's at the same level; files are machine-wide. */
  scope?: 'machine' | 'user';
  values: Record<string, unknown>;
}

/** A file, source or single key that was ignored, and why. */
export interface PolicyProblem {
  source: string;
  level?: PolicyLevel;
  key?: string;
  message: string;
}

/** What reading the policy sources produced: layers in precedence order and what was ignored. */
export interface PolicyReading {
  layers: PolicyLayer[];
  problems: PolicyProblem[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits one parsed policy document into its mandatory and recommended layers. The document is
 * either `{ "schemaVersion": 1, "mandatory": {…}, "recommended": {…} }` or, as policy files were
 * written before levels existed, a flat object of keys that are all mandatory.
 */
export function layersOfDocument(document: unknown, source: string): PolicyReading {
  if (!isPlainObject(document)) {
    return { layers: [], problems: [{ source, message: 'the policy must be a JSON object; the whole source is ignored' }] };
  }
  const leveled = 'mandatory' in document || 'recommended' in document || 'schemaVersion' in document;
  if (!leveled) return { layers: [{ level: 'mandatory', source, values: document }], problems: [] };

  const problems: PolicyProblem[] = [];
  if (document.schemaVersion !== undefined && document.schemaVersion !== 1) {
    return { layers: [], problems: [{ source, message: `schemaVersion ${JSON.stringify(document.schemaVersion)} is not supported (this version reads 1); the whole source is ignored` }] };
  }
  for (const key of Object.keys(document)) {
    if (!['schemaVersion', 'mandatory', 'recommended'].includes(key)) problems.push({ source, key, message: `unknown top-level key "${key}" ignored; policy keys go inside "mandatory" or "recommended"` });
  }

  const layers: PolicyLayer[] = [];
  for (const level of ['mandatory', 'recommended'] as const) {
    const values = document[level];
    if (values === undefined) continue;
    if (isPlainObject(values)) layers.push({ level, source, values });
    else problems.push({ source, level, message: `"${level}" must be a JSON object; it is ignored` });
  }
  return { layers, problems };
}
