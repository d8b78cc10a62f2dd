import { readFileSync } from 'node:fs';
import type * as z from 'zod';
import { MappingInvalidError } from '../errors.js';
import { lintMapping } from './lint.js';
import { type Mapping, mappingSchema } from './schema.js';
import { confusedDeputyWarnings } from './warnings.js';
import { readYaml } from './yaml.js';

/** Upper bound on the file we accept: a mapping is a page of rules, not a data set. */
const MAX_MAPPING_BYTES = 256 * 1024;

/** Marks a problem that is a profile-guard bug, not the author's: tests and the bench count these. */
export const UNEXPECTED_PROBLEM = 'could not be processed (a profile-guard bug, please report it)';

/** A valid mapping, and what is allowed but risky about it (see warnings.ts). */
export interface ValidatedMapping {
  mapping: Mapping;
  warnings: string[];
}

export function loadMappingFile(file: string): Mapping {
  return validateMappingFile(file).mapping;
}

export function validateMappingFile(file: string): ValidatedMapping {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MappingInvalidError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  return validateMapping(source, file);
}

/** Parses and validates mapping YAML; every problem names the rule it is in. */
export function parseMapping(source: string, file = '<mapping>'): Mapping {
  return validateMapping(source, file).mapping;
}

/**
 * The one way a mapping is read. Whatever the text, it returns or throws MappingInvalidError
 * naming the file and each problem (with its place where there is one): never another exception.
 */
export function validateMapping(source: string, file = '<mapping>'): ValidatedMapping {
  try {
    return validateOrThrow(source, file);
  } catch (error) {
    if (error instanceof MappingInvalidError) throw error;
    // Hostile input must never crash the Lambda or the CLI; a bug here still gets a clear, typed error.
    throw new MappingInvalidError(file, [`${UNEXPECTED_PROBLEM}: ${(error as Error)?.name}: ${(error as Error)?.message}`]);
  }
}

function validateOrThrow(source: string, file: string): ValidatedMapping {
  if (Buffer.byteLength(source) > MAX_MAPPING_BYTES) {
    throw new MappingInvalidError(file, [`file is larger than ${MAX_MAPPING_BYTES} bytes`]);
  }
  const read = readYaml(source);
  if (!read.ok) throw new MappingInvalidError(file, read.problems);
  const result = mappingSchema.safeParse(read.value);
  if (!result.success) {
    throw new MappingInvalidError(
      file,
      result.error.issues.map((issue) => describeIssue(issue, read.value)),
    );
  }
  const problems = lintMapping(result.data);
  if (problems.length > 0) throw new MappingInvalidError(file, problems);
  return { mapping: result.data, warnings: confusedDeputyWarnings(result.data) };
}

/** A hostile file can make one message huge (zod lists every unrecognized key): keep each readable. */
const MAX_PROBLEM_CHARS = 300;

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const text = describeIssueInFull(issue, raw);
  return text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, MAX_PROBLEM_CHARS)}…`;
}

function describeIssueInFull(issue: z.core.$ZodIssue, raw: unknown): string {
  // A bad record key (a tag key, a profile in roles): say what is wrong with it, not just "Invalid key".
  const message = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message).join('; ') : issue.message;
  const path = issue.path.map((segment) => (segment === '' ? '""' : String(segment)));
  const [head, index, ...rest] = issue.path;
  const [, , inner, ruleIndex, ...ruleRest] = issue.path;
  if (head === 'overrides' && typeof index === 'number' && inner === 'rules' && typeof ruleIndex === 'number') {
    const override = (raw as { overrides?: unknown } | null)?.overrides;
    const name = ruleName(Array.isArray(override) ? override[index] : undefined, ruleIndex);
    const where = `overrides[${index}] rule ${ruleIndex}${name ? ` "${name}"` : ''}`;
    return `${where}${ruleRest.length > 0 ? ` ${path.slice(4).join('.')}` : ''}: ${message}`;
  }
  if (head === 'overrides' && typeof index === 'number') {
    return `overrides[${index}]${rest.length > 0 ? ` ${path.slice(2).join('.')}` : ''}: ${message}`;
  }
  if (head === 'rules' && typeof index === 'number') {
    const name = ruleName(raw, index);
    const where = `rule ${index}${name ? ` "${name}"` : ''}`;
    const field = rest.length > 0 ? ` ${path.slice(2).join('.')}` : '';
    return `${where}${field}: ${message}`;
  }
  const field = path.length > 0 ? path.join('.') : 'mapping';
  return `${field}: ${message}`;
}

function ruleName(raw: unknown, index: number): string | undefined {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return undefined;
  const rule: unknown = rules[index];
  if (typeof rule !== 'object' || rule === null || !Object.hasOwn(rule, 'name')) return undefined;
  const name = (rule as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
