import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type * as z from 'zod';
import { MappingInvalidError } from '../errors.js';
import { lintMapping } from './lint.js';
import { type Mapping, mappingSchema } from './schema.js';

/** Upper bound on the file we accept: a mapping is a page of rules, not a data set. */
const MAX_MAPPING_BYTES = 256 * 1024;

export function loadMappingFile(file: string): Mapping {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MappingInvalidError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseMapping(source, file);
}

/** Parses and validates mapping YAML; every problem names the rule it is in. */
export function parseMapping(source: string, file = '<mapping>'): Mapping {
  if (Buffer.byteLength(source) > MAX_MAPPING_BYTES) {
    throw new MappingInvalidError(file, [`file is larger than ${MAX_MAPPING_BYTES} bytes`]);
  }
  const document = parseDocument(source, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new MappingInvalidError(
      file,
      document.errors.map((e) => {
        const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : 'unknown position';
        return `YAML syntax, ${where}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const raw: unknown = document.toJS();
  const result = mappingSchema.safeParse(raw);
  if (!result.success) {
    throw new MappingInvalidError(file, result.error.issues.map((issue) => describeIssue(issue, raw)));
  }
  const problems = lintMapping(result.data);
  if (problems.length > 0) throw new MappingInvalidError(file, problems);
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const [head, index, ...rest] = issue.path;
  if (head === 'rules' && typeof index === 'number') {
    const name = ruleName(raw, index);
    const where = `rule ${index}${name ? ` "${name}"` : ''}`;
    const field = rest.length > 0 ? ` ${rest.join('.')}` : '';
    return `${where}${field}: ${issue.message}`;
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : 'mapping';
  return `${field}: ${issue.message}`;
}

function ruleName(raw: unknown, index: number): string | undefined {
  const rules = (raw as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) return undefined;
  const name = (rules[index] as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}
