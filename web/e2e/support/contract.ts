// Checks real server responses against docs/openapi.yaml, so the server, the
// contract and the UI cannot drift apart unnoticed. Every API call the tests
// make (support/api.ts) and every /api/v1 JSON response the browser receives
// (fixtures.ts) goes through `checkResponse`.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

const specPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'openapi.yaml');
const spec = parse(readFileSync(specPath, 'utf8')) as Json;

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema({ ...(spec as object), $id: 'openapi' } as Json, 'openapi');

interface Route {
  template: string;
  re: RegExp;
  ops: Json;
}

const routes: Route[] = Object.entries(spec.paths as Json).map(([template, ops]) => ({
  template,
  re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  ops: ops as Json,
}));
// Literal paths first (e.g. /notifications/read-all before /notifications/{id}/read).
routes.sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0));

function resolveRef(obj: Json): Json {
  let cur = obj;
  for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) {
    const parts = (cur.$ref as string).replace(/^#\//, '').split('/');
    let next: unknown = spec;
    for (const p of parts) next = (next as Json)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    cur = next as Json;
  }
  return cur;
}

const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(pointer: string) {
  let v = validators.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `openapi#${pointer}` });
    validators.set(pointer, v);
  }
  return v;
}

function esc(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Returns problems with one response, or [] when it matches the contract.
 * `url` may be absolute; only its path is used.
 */
export function checkResponse(method: string, url: string, status: number, contentType: string | null, body: string): string[] {
  const path = new URL(url, 'http://x').pathname;
  if (!path.startsWith('/api/')) return [];
  const m = method.toLowerCase();
  const route = routes.find((r) => r.re.test(path) && r.ops[m]);
  const what = `${method} ${path} → ${status}`;
  if (!route) return status === 404 ? [] : [`${what}: no such operation in openapi.yaml`];
  const op = route.ops[m] as Json;
  const responses = op.responses as Json;
  const key = String(status);
  const resp = responses[key] ?? responses[`${key[0]}XX`] ?? responses.default;
  if (!resp) {
    // 401/429 may come from anywhere (expired session, rate limits); 404 for unknown ids.
    if ([401, 404, 429].includes(status)) return [];
    return [`${what}: status ${status} is not documented for ${method} ${route.template}`];
  }
  const content = resolveRef(resp as Json).content as Json | undefined;
  if (!content) return body.trim() && status !== 204 ? [] : [];
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!(ct in content)) {
    if (ct === '' && status === 304) return [];
    return [`${what}: Content-Type ${ct || '(none)'} not documented (expected ${Object.keys(content).join(', ')})`];
  }
  if (!ct.endsWith('json')) return [];
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return [`${what}: body is not JSON`];
  }
  // Validate against the documented schema, reached through the document so $refs resolve.
  const respPointer = (resp as Json).$ref
    ? ((resp as Json).$ref as string).replace(/^#/, '')
    : `/paths/${esc(route.template)}/${m}/responses/${key in responses ? key : 'default'}`;
  const validate = validatorFor(`${respPointer}/content/${esc(ct)}/schema`);
  if (validate(data)) {
    if (ct === 'application/problem+json' && (data as Json).status !== status) return [`${what}: problem status ${(data as Json).status} ≠ HTTP ${status}`];
    return [];
  }
  return [`${what}: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n  body: ${body.slice(0, 400)}`];
}
