import { expect } from 'vitest';
import { MappingInvalidError } from '../../lib/errors.js';
import { parseMapping } from '../../lib/mapping/load.js';

/**
 * The problems parseMapping names for a mapping, or [] when it accepts it. A refusal must be a
 * MappingInvalidError whose message names the file.
 */
export function mappingProblems(source: string, file = 'test.yaml'): string[] {
  try {
    parseMapping(source, file);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingInvalidError);
    expect((error as Error).message.startsWith(`${file}: invalid mapping:`)).toBe(true);
    return [...(error as MappingInvalidError).problems];
  }
  return [];
}
