import { z } from 'zod';

import { analyzerProfileSchema } from './schema.js';

/** One problem in a profile file, in words IT can act on. */
export interface ProfileIssue {
  /** JSON path of the field, such as `$.transport.baudRate` or `$.tests["NEU#"].loinc`. */
  readonly path: string;
  /** Description of the problem and of the expected value. */
  readonly message: string;
  /** The fix, when the message alone does not give it. */
  readonly hint?: string;
}

/** Writes a zod path as a JSON path, quoting keys that are not plain identifiers. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let text = '$';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) text += `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** Converts zod's issues into profile issues, with a suggestion for a misspelt key. */
export function profileIssuesFrom(error: z.ZodError): ProfileIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const suggestion = closestKnownKey(key);
        return {
          path: jsonPath([...issue.path, key]),
          message: `unknown setting "${key}"`,
          hint: suggestion ? `did you mean "${suggestion}"? Setting names are case-sensitive` : 'remove it; profiles accept only the documented settings',
        };
      });
    }
    return [{ path: jsonPath(issue.path), message: describeIssue(issue) }];
  });
}

/** Words a zod issue as "what is wrong": zod's own messages lose their "Invalid input" prefix. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(/^Invalid input: /, '');
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  if (!missing) return message;
  return message.startsWith('expected') ? `is missing: ${message.replace(/, received undefined$/, '')}` : `is missing; it ${message}`;
}

let knownKeys: Set<string> | undefined;

/** Returns the known setting name closest to `key` (same letters in another case, or at most two edits). */
function closestKnownKey(key: string): string | undefined {
  knownKeys ??= collectKeys(analyzerProfileSchema, new Set());
  let best: { name: string; distance: number } | undefined;
  for (const name of knownKeys) {
    const distance = name.toLowerCase() === key.toLowerCase() ? 0 : editDistance(name, key);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function collectKeys(schema: z.ZodType, keys: Set<string>): Set<string> {
  if (schema instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      keys.add(key);
      collectKeys(child, keys);
    }
  } else if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as z.ZodType[]) collectKeys(option, keys);
  } else if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    collectKeys(schema.unwrap() as z.ZodType, keys);
  } else if (schema instanceof z.ZodRecord) {
    collectKeys(schema.valueType as z.ZodType, keys);
  } else if (schema instanceof z.ZodArray) {
    collectKeys(schema.element as z.ZodType, keys);
  }
  return keys;
}

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
