// Writes src/errors.generated.ts from ../docs/openapi.yaml: the problem codes of the
// ErrorCode enum and the sentence the UI shows for each (its `x-user-messages`).
// Run by `npm run gen`, so before every build; the output is not committed.
// Fails when a code has no message or a message has no code, so the UI's table cannot
// drift from the codes the server answers (tests/api/test_contract.py keeps the enum
// complete).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const spec = parse(readFileSync(join(web, '..', 'docs', 'openapi.yaml'), 'utf8'));
const schema = spec?.components?.schemas?.ErrorCode;
const codes = schema?.enum;
const messages = schema?.['x-user-messages'];
if (!Array.isArray(codes) || !codes.length || typeof messages !== 'object' || messages === null) {
  throw new Error('docs/openapi.yaml: components.schemas.ErrorCode needs an enum and x-user-messages');
}
const problems = [
  ...codes.filter((c) => typeof messages[c] !== 'string' || !messages[c].trim()).map((c) => `code ${c} has no x-user-messages entry`),
  ...Object.keys(messages).filter((c) => !codes.includes(c)).map((c) => `x-user-messages has ${c}, which is not in the enum`),
];
if (problems.length) throw new Error(`docs/openapi.yaml, ErrorCode:\n  ${problems.join('\n  ')}`);

const lines = codes.map((c) => `  ${c}: ${JSON.stringify(messages[c])},`);
const out = `// Generated from docs/openapi.yaml (components.schemas.ErrorCode) by scripts/gen-errors.mjs.
// Do not edit: change the enum and its x-user-messages there, then \`npm run gen\`.
import type { components } from './api/schema';

/** A problem code the server answers. */
export type ErrorCode = components['schemas']['ErrorCode'];

/** The sentence the UI shows for each problem code. */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
${lines.join('\n')}
};
`;
writeFileSync(join(web, 'src', 'errors.generated.ts'), out);
