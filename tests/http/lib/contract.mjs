// Contract checks: every HTTP response a test sees is validated against
// openapi.yaml (status declared for the operation, Content-Type, headers, body
// schema). Schemas are compiled with Ajv's JSON Schema 2020-12 dialect, which
// is the dialect OpenAPI 3.1 uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.FITCHECK_SOURCE_DIR
  ? path.resolve(process.env.FITCHECK_SOURCE_DIR)
  : path.resolve(here, '..', '..', '..');
export const OPENAPI_PATH = path.join(SOURCE_DIR, 'openapi.yaml');

/** The parsed OpenAPI document. */
export const spec = YAML.parse(readFileSync(OPENAPI_PATH, 'utf8'));

const DOC_ID = 'https://fitcheck.invalid/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  allowUnionTypes: true, // OpenAPI 3.1 writes nullable as type: [X, 'null']
  strictRequired: false, // allOf branches name required members declared in a sibling
});
addFormats(ajv);
// The OpenAPI document is registered whole, so that its own '#/components/...'
// $refs resolve. Its top-level members (openapi, info, paths, ...) are not JSON
// Schema keywords; declare them as inert so strict mode accepts the root.
for (const key of Object.keys(spec)) {
  if (!ajv.getKeyword(key)) ajv.addKeyword({ keyword: key });
}
ajv.addSchema(spec, DOC_ID);

// ------------------------------------------------------------------ pointers

function escapeToken(token) {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** JSON pointer ('/a/b') built from raw tokens. */
export function pointer(...tokens) {
  return tokens.map((t) => '/' + escapeToken(t)).join('');
}

function getByPointer(doc, ptr) {
  if (ptr === '') return doc;
  let node = doc;
  for (const raw of ptr.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(token in node)) {
      throw new Error(`openapi.yaml has nothing at ${ptr}`);
    }
    node = node[token];
  }
  return node;
}

/** Follows OpenAPI-level $refs (responses, headers, ...) inside openapi.yaml. */
function deref(obj, ptr) {
  let seen = 0;
  while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
    assert.ok(obj.$ref.startsWith('#/'), `only local $refs are supported, got ${obj.$ref}`);
    ptr = obj.$ref.slice(1);
    obj = getByPointer(spec, ptr);
    assert.ok(++seen < 32, `$ref loop at ${ptr}`);
  }
  return { obj, ptr };
}

const validators = new Map();

/** Ajv validator for the schema at a JSON pointer inside openapi.yaml. */
export function validatorAt(ptr) {
  let v = validators.get(ptr);
  if (!v) {
    const fragment = ptr
      .slice(1)
      .split('/')
      .map((t) => encodeURIComponent(t))
      .join('/');
    v = ajv.getSchema(`${DOC_ID}#/${fragment}`);
    assert.ok(v, `no schema at ${ptr} in openapi.yaml`);
    validators.set(ptr, v);
  }
  return v;
}

/** Ajv validator for components/schemas/<name>. */
export function schemaValidator(name) {
  assert.ok(spec.components?.schemas?.[name], `openapi.yaml has no schema ${name}`);
  return validatorAt(pointer('components', 'schemas', name));
}

function formatErrors(errors) {
  return (errors ?? [])
    .slice(0, 12)
    .map((e) => `  ${e.instancePath || '(root)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('\n');
}

function excerpt(value) {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 1500 ? s.slice(0, 1500) + `... (${s.length} chars)` : s;
}

// --------------------------------------------------------------- media types

function parseMediaType(value) {
  const [essence, ...params] = String(value).split(';');
  const out = { essence: essence.trim().toLowerCase(), params: new Map() };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.params.set(name, name === 'charset' ? v.toLowerCase() : v);
  }
  return out;
}

function mediaTypeMatches(declared, actual) {
  const d = parseMediaType(declared);
  const a = parseMediaType(actual);
  const [dt, ds] = d.essence.split('/');
  const [at, as] = a.essence.split('/');
  if (dt !== '*' && dt !== at) return false;
  if (ds !== '*' && ds !== as) return false;
  for (const [k, v] of d.params) if (a.params.get(k) !== v) return false;
  return true;
}

function isJsonMediaType(mt) {
  const { essence } = parseMediaType(mt);
  return essence === 'application/json' || essence.endsWith('+json');
}

// ------------------------------------------------------------------- routing

const templates = Object.keys(spec.paths).map((t) => ({
  template: t,
  literal: !t.includes('{'),
  re: new RegExp(
    '^' + t.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+') + '$',
  ),
}));
templates.sort((a, b) => Number(b.literal) - Number(a.literal));

/** The openapi.yaml path template a request path (query allowed) falls under, or null. */
export function matchPathTemplate(urlPath) {
  const p = urlPath.split('?')[0];
  return templates.find((t) => t.re.test(p))?.template ?? null;
}

/** Methods a path supports according to openapi.yaml, HEAD added wherever GET is. */
export function allowedMethods(pathTemplate) {
  const item = spec.paths[pathTemplate];
  const methods = HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
  if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
  return methods;
}

function methodSet(header) {
  return header
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)
    .sort();
}

// ------------------------------------------------------------------ the check

/**
 * Asserts that one HTTP response is allowed by openapi.yaml.
 *
 *   method        request method ('GET', 'HEAD', 'POST', ...)
 *   pathTemplate  key of `paths` ('/v1/reports/{id}'), or null for a path that is
 *                 not in the contract (then only the fallback 404 is allowed)
 *   status        response status code
 *   response      a fetch Response (or anything with .headers.get(name))
 *   body          the response body as text ('' when empty)
 *
 * Fails when the status is not declared for the operation, when a method the
 * path does not have is answered with anything but the fallback 405 (whose
 * Allow header must list exactly the path's methods), when the Content-Type
 * matches none of the declared media types, when a required header is missing
 * or a header does not match its schema, or when the body does not match the
 * schema. HEAD is checked as GET with an empty body. Returns the parsed body
 * (JSON media types) or the text, undefined for an empty body.
 */
export function assertMatchesContract(method, pathTemplate, status, response, body) {
  method = method.toUpperCase();
  const text = body === undefined || body === null ? '' : typeof body === 'string' ? body : String(body);
  const where = `${method} ${pathTemplate ?? '(path not in openapi.yaml)'} -> ${status}`;
  const fallbacks = spec['x-fitcheck-fallback-responses'];

  let responseObj;
  let responsePtr;
  let expectedAllow = null;

  if (pathTemplate === null) {
    assert.equal(status, 404, `${where}: a path that is not in openapi.yaml must be answered 404`);
    responseObj = fallbacks['unknown-path'];
    responsePtr = pointer('x-fitcheck-fallback-responses', 'unknown-path');
  } else {
    const item = spec.paths[pathTemplate];
    assert.ok(item, `${where}: openapi.yaml has no path ${pathTemplate}`);
    let opMethod = method.toLowerCase();
    if (!item[opMethod] && method === 'HEAD' && item.get) opMethod = 'get';
    const op = HTTP_METHODS.includes(opMethod) ? item[opMethod] : undefined;
    if (!op) {
      assert.equal(status, 405, `${where}: openapi.yaml has no ${method} on ${pathTemplate}, so only 405 is allowed`);
      responseObj = fallbacks['method-not-allowed'];
      responsePtr = pointer('x-fitcheck-fallback-responses', 'method-not-allowed');
      expectedAllow = allowedMethods(pathTemplate).sort();
    } else {
      const code = String(status);
      const key = [code, `${code[0]}XX`, `${code[0]}xx`, 'default'].find((k) => k in op.responses);
      if (!key) {
        assert.fail(
          `${where}: status ${status} is not declared for ${op.operationId ?? method + ' ' + pathTemplate} ` +
            `in openapi.yaml (declared: ${Object.keys(op.responses).join(', ')}); body: ${excerpt(text)}`,
        );
      }
      responseObj = op.responses[key];
      responsePtr = pointer('paths', pathTemplate, opMethod, 'responses', key);
    }
  }
  ({ obj: responseObj, ptr: responsePtr } = deref(responseObj, responsePtr));

  // Headers.
  for (const [name, hdr] of Object.entries(responseObj.headers ?? {})) {
    const { obj: h, ptr: hPtr } = deref(hdr, `${responsePtr}${pointer('headers', name)}`);
    const value = response.headers.get(name);
    if (value === null || value === undefined) {
      assert.ok(!h.required, `${where}: required header ${name} is missing`);
      continue;
    }
    if (h.schema) {
      const v = validatorAt(`${hPtr}/schema`);
      assert.ok(v(value), `${where}: header ${name}: ${JSON.stringify(value)} does not match its schema:\n${formatErrors(v.errors)}`);
    }
  }
  if (expectedAllow) {
    const allow = response.headers.get('allow');
    assert.ok(allow, `${where}: 405 without an Allow header`);
    assert.deepEqual(methodSet(allow), expectedAllow, `${where}: Allow is ${JSON.stringify(allow)}`);
  }

  // Body.
  const content = responseObj.content;
  if (!content || Object.keys(content).length === 0) {
    assert.equal(text, '', `${where}: no body is declared, got ${excerpt(text)}`);
    return undefined;
  }
  const contentType = response.headers.get('content-type');
  assert.ok(contentType, `${where}: Content-Type is missing (declared: ${Object.keys(content).join(' | ')})`);
  const mediaKey = Object.keys(content).find((k) => mediaTypeMatches(k, contentType));
  assert.ok(mediaKey, `${where}: Content-Type ${JSON.stringify(contentType)} is not one of: ${Object.keys(content).join(' | ')}`);

  if (method === 'HEAD') {
    assert.equal(text, '', `${where}: a HEAD response must have no body`);
    return undefined;
  }

  let value = text;
  if (isJsonMediaType(mediaKey)) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      assert.fail(`${where}: body is not valid JSON (${err.message}): ${excerpt(text)}`);
    }
  }
  const media = content[mediaKey];
  if (media.schema) {
    const v = validatorAt(`${responsePtr}${pointer('content', mediaKey, 'schema')}`);
    assert.ok(v(value), `${where}: body does not match openapi.yaml:\n${formatErrors(v.errors)}\nbody: ${excerpt(value)}`);
  }
  if (parseMediaType(mediaKey).essence === 'application/problem+json') {
    assert.equal(value.status, status, `${where}: problem "status" member differs from the HTTP status`);
  }
  return value;
}

/** Validates a value against components/schemas/<name>; returns {valid, errors}. */
export function checkSchema(name, value) {
  const v = schemaValidator(name);
  const valid = v(value);
  return { valid, errors: valid ? [] : [...v.errors], message: formatErrors(v.errors) };
}
