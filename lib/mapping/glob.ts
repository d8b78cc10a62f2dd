/**
 * Tag value globs. `*` matches any run of characters (including none), `?` exactly one character,
 * every other character only itself; there is no escape. "Character" means Unicode code point, so
 * `?` matches one emoji or one CJK character, as a person reading the tag would count it.
 *
 * Tag values are set by whoever may tag an instance, so matching must not be a regular expression
 * (a backtracking engine is exponential on `*a*a*a*b`): this is the two-pointer algorithm that
 * only ever backtracks to the most recent `*`, O(pattern × value) at worst, usually linear.
 */
export function globMatches(pattern: string, value: string): boolean {
  if (!isGlob(pattern)) return pattern === value;
  return matchCodePoints(codePoints(pattern), codePoints(value));
}

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** The glob (as code points) against a value (as code points): for callers that already split them. */
export function matchCodePoints(pattern: readonly string[], value: readonly string[]): boolean {
  let p = 0;
  let v = 0;
  // Where the last `*` was, and how much of the value it has swallowed so far.
  let star = -1;
  let starValue = 0;
  while (v < value.length) {
    const token = pattern[p];
    if (token === '*') {
      star = p++;
      starValue = v;
    } else if (token !== undefined && (token === '?' || token === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      // Mismatch after a `*`: let that `*` swallow one more character and retry from just after it.
      p = star + 1;
      v = ++starValue;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The same language, in a canonical spelling: in every run of wildcards the `?`s come first and
 * at most one `*` follows (`*?*?` and `??*` both mean "at least two characters").
 */
export function normalizeGlob(pattern: string): string {
  return pattern.replace(/[*?]+/g, (run) => '?'.repeat(run.split('?').length - 1) + (run.includes('*') ? '*' : ''));
}
