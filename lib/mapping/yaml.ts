import { CST, type Document, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument, type YAMLError } from 'yaml';

/**
 * Mapping YAML to plain data, treating the text as hostile: every problem comes back as a
 * sentence with its line and column, never as an exception. What the `yaml` package would do on
 * its own and why that is not enough:
 *  - deeply nested `[[[[…` exhausts the parser's stack and can abort the process outright, so
 *    flow nesting is measured first with the (iterative) lexer;
 *  - an undefined alias or an alias bomb (billion laughs) throws a ReferenceError from toJS;
 *  - a `__proto__` key survives toJS but cannot survive the copy into a plain object;
 *  - an unknown tag is only a warning, and a list used as a key is silently stringified;
 *  - its own duplicate-key check is quadratic (tens of seconds on one 256 KB map), so keys are
 *    checked here, as the JavaScript object will see them (`1` and "1" are the same key).
 */
export type YamlRead = { ok: true; value: unknown } | { ok: false; problems: string[] };

/** A mapping is rules → rule → match → tags → value: a few levels. Anything near this is an attack or an accident. */
export const MAX_YAML_DEPTH = 32;
/** Aliases are rare in a mapping; this allows reuse while refusing exponential expansion. */
export const MAX_ALIAS_COUNT = 100;
const MAX_LISTED = 10;

export function readYaml(source: string): YamlRead {
  const lines = new LineCounter();
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return 'unknown position';
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };

  const nesting = flowNestingProblem(source);
  if (nesting) {
    // The lexer ran without a line counter; count lines up to the offending bracket directly.
    const { line, col } = linePos(source, nesting.offset);
    return { ok: false, problems: [`YAML nesting, line ${line}, column ${col}: more than ${MAX_YAML_DEPTH} nested [ ] or { }`] };
  }

  const document = parseDocument(source, { uniqueKeys: false, lineCounter: lines });
  const reported = [...document.errors.map((e) => describeYamlError('YAML syntax', e)), ...document.warnings.map((e) => describeYamlError('YAML', e))];
  if (reported.length > 0) return { ok: false, problems: capped(reported) };

  const structural = structureProblems(document, at);
  if (structural.length > 0) return { ok: false, problems: capped(structural) };

  try {
    return { ok: true, value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/alias count/i.test(message)) {
      return { ok: false, problems: [`YAML aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias uses, an alias bomb?): refused`] };
    }
    return { ok: false, problems: [`YAML could not be turned into data: ${message}`] };
  }
}

function describeYamlError(kind: string, error: YAMLError): string {
  const where = error.linePos?.[0] ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : 'unknown position';
  const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  return `${kind}, ${where}: ${message.length <= 300 ? message : `${message.slice(0, 300)}…`}`;
}

function capped(problems: string[]): string[] {
  return problems.length <= MAX_LISTED ? problems : [...problems.slice(0, MAX_LISTED), `… and ${problems.length - MAX_LISTED} more YAML problems`];
}

/** Deepest flow-collection nesting, measured on tokens so brackets inside quotes and comments do not count. */
function flowNestingProblem(source: string): { offset: number } | undefined {
  const markers = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]); // lexer control tokens: not in the source
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(source)) {
    const type = CST.tokenType(token);
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++depth > MAX_YAML_DEPTH) return { offset };
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') {
      depth = Math.max(0, depth - 1);
    }
    if (!markers.has(token)) offset += token.length;
  }
  return undefined;
}

function linePos(source: string, offset: number): { line: number; col: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: offset - lineStart + 1 };
}

/**
 * One pass over the parsed nodes in document order (an explicit stack, so depth cannot overflow
 * ours): nesting depth, keys that are not plain scalars, duplicate and `__proto__` keys, and
 * aliases with no anchor before them or pointing at a node that contains them. (`Alias.resolve` would answer
 * too, but walks the whole document per alias: quadratic on a hostile file.)
 */
function structureProblems(document: Document.Parsed, at: (offset: number | undefined) => string): string[] {
  const problems: string[] = [];
  const offsetOf = (node: unknown) => (node as { range?: number[] } | null)?.range?.[0];
  const add = (node: unknown, text: string, kind = 'YAML') => problems.push(`${kind}, ${at(offsetOf(node))}: ${text}`);
  const anchors = new Set<string>();
  type Visit = { node: unknown; depth: number; enclosing: readonly string[]; isKey?: boolean };
  const stack: Visit[] = [{ node: document.contents, depth: 1, enclosing: [] }];
  while (stack.length > 0) {
    const { node, depth, enclosing, isKey } = stack.pop() as Visit;
    if (depth > MAX_YAML_DEPTH) {
      add(node, `more than ${MAX_YAML_DEPTH} nested levels`);
      break;
    }
    if (isKey && !(isScalar(node) || node === null)) {
      add(node, 'a key must be a plain word, not a list, a map or an alias');
      continue;
    }
    if (isKey && isScalar(node) && String(node.value) === '__proto__') add(node, 'key "__proto__" is not supported (JavaScript objects cannot hold it)');
    if (isAlias(node)) {
      if (!anchors.has(node.source)) add(node, `alias *${clip(node.source)} refers to no anchor defined before it`);
      else if (enclosing.includes(node.source)) add(node, `alias *${clip(node.source)} refers to a node that contains it`);
      continue;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.add(anchor);
    const inside = anchor ? [...enclosing, anchor] : enclosing;
    const children: Visit[] = [];
    if (isMap(node)) {
      const keys = new Map<string, unknown>();
      for (const { key, value } of node.items) {
        const name = isScalar(key) ? String(key.value ?? '') : undefined;
        const first = name === undefined ? undefined : keys.get(name);
        if (name !== undefined && first !== undefined) add(key, `map keys must be unique: "${clip(name)}" is also at ${at(offsetOf(first))}`, 'YAML syntax');
        else if (name !== undefined) keys.set(name, key);
        children.push({ node: key, depth: depth + 1, enclosing: inside, isKey: true }, { node: value, depth: depth + 1, enclosing: inside });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) children.push({ node: item, depth: depth + 1, enclosing: inside });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Visit); // first child popped first: document order
  }
  return problems;
}

/** Names quoted from a hostile file stay short enough to read. */
function clip(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 64)}…`;
}
