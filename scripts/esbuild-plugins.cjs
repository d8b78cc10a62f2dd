// esbuild plugins for the Lambda bundles (serverless.yml: custom.esbuild.plugins).
//
// literalSchemaKeys: lets esbuild drop the AWS SDK schemas a function never uses.
// Since about 3.930 each client's dist-es/schemas/schemas_0.js writes its trait objects with
// computed keys naming a module constant: `const _xN = "xmlName"; … { [_xN]: _iI }`. esbuild
// cannot prove a computed key has no side effect (it could call toString), so it keeps every
// statement that holds one: the remediate bundle carried 542 KiB of EC2 schemas for the six
// operations it sends (aws/aws-sdk-js-v3#7607, fixed the same way upstream in
// smithy-lang/smithy-typescript#1889). Rewriting `[_xN]:` to `"xmlName":` where `_xN` is a
// top-level `const` of a plain string literal in the same file is the same object, with a key
// esbuild can see is inert. Anything else is left as written. tests/unit/esbuild-plugins.test.ts
// checks the rewritten schemas are deep-equal to the originals for every client we ship.
'use strict';
const { readFile } = require('node:fs/promises');

/** Files the SDK generates its schemas into: `…/@aws-sdk/<client>/dist-es/schemas/schemas_<n>.js`. */
const SCHEMA_FILE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.*[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `const _xN = "xmlName";` at the start of a line: a plain double-quoted literal, no escapes. */
const STRING_CONSTANT = /^const (_[A-Za-z0-9_]*|n\d+) = "([^"\\\n]*)";$/gm;

/**
 * `[_xN]:` as a property key: right after the `{` or `,` that opens a property, so that
 * `c ? [_a]: b` or `case [_a]:` is never taken for one.
 */
const COMPUTED_KEY = /([{,]\s*)\[(_[A-Za-z0-9_]*|n\d+)\]:/g;

/** A literal `"__proto__":` key sets the prototype, where the computed key made a property. */
const UNSAFE_AS_LITERAL = new Set(['__proto__']);

/**
 * The schema source with each computed key that names a string constant of the file written as
 * that string. Returns the source unchanged when it declares no such constants.
 */
function literalizeSchemaKeys(source) {
  const constants = new Map();
  for (const [, name, value] of source.matchAll(STRING_CONSTANT)) {
    // A name declared twice would be a syntax error in the module; refuse to guess.
    if (constants.has(name)) return source;
    if (!UNSAFE_AS_LITERAL.has(value)) constants.set(name, value);
  }
  if (constants.size === 0) return source;
  return source.replace(COMPUTED_KEY, (key, opener, name) => (constants.has(name) ? `${opener}${JSON.stringify(constants.get(name))}:` : key));
}

const literalSchemaKeys = {
  name: 'literal-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, async (args) => ({
      contents: literalizeSchemaKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

module.exports = [literalSchemaKeys];
module.exports.literalizeSchemaKeys = literalizeSchemaKeys;
module.exports.literalSchemaKeys = literalSchemaKeys;
module.exports.SCHEMA_FILE = SCHEMA_FILE;
