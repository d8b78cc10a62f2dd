import { MappingInvalidError } from '../errors.js';
import { validateMappingFile } from '../mapping/load.js';
import { mappedProfiles } from '../mapping/schema.js';
import { EXIT, type Io } from './context.js';

/** Valid mappings exit 0 even with warnings: a warning is a risk to review, not a mistake to refuse. */
export function validateCommand(file: string, io: Io): number {
  try {
    const { mapping, warnings } = validateMappingFile(file);
    const profiles = mappedProfiles(mapping);
    io.out(
      `${file}: valid: ${mapping.rules.length} rules, default ${mapping.default ?? '(none: unmatched instances are left alone)'}, onWrongProfile ${mapping.onWrongProfile}`,
    );
    io.out(`profiles the deployed policy will allow: ${profiles.length > 0 ? profiles.join(', ') : '(none)'}`);
    for (const warning of warnings) io.err(`warning: ${warning}`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof MappingInvalidError)) throw error;
    io.err(error.message);
    return EXIT.usage;
  }
}
