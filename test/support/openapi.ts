import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * The official spec with every schema inlined (test/fixtures/openapi-enriched.yaml):
 * an answer's schema by path template, method and status, to check the stand-in against.
 */

/** A copy of the spec Fatture in Cloud publishes (openapi-fattureincloud, v2.1.8), every schema inlined. */
const SPEC_PATH = join(__dirname, '..', 'fixtures', 'openapi-enriched.yaml');

interface ResponseObject {
  content?: { 'application/json'?: { schema?: object } };
  headers?: Record<string, unknown>;
  $ref?: string;
}

interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { responses: Record<string, ResponseObject> };
}

export interface SpecResponse {
  validate: ValidateFunction;
  /** The headers the spec names for this answer, lower case. */
  headers: string[];
  /** Where the schema came from, for messages. */
  source: string;
}

export class OpenAPISpec {
  private readonly spec: Spec;
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(path = SPEC_PATH) {
    this.spec = parse(readFileSync(path, 'utf8')) as Spec;
    addFormats(this.ajv);
  }

  /** The spec's answer for `status`; a status it does not list (a gateway's 502/503) gets its ApiErrorResponse. */
  response(pathTemplate: string, method: string, status: number): SpecResponse {
    const operation = this.spec.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new Error(`the spec has no ${method} ${pathTemplate}`);
    const listed = operation.responses[String(status)];
    const source = listed ? `${method} ${pathTemplate} ${status}` : `${method} ${pathTemplate} (no ${status} in the spec: ApiErrorResponse)`;
    const response = this.resolve(listed ?? { $ref: '#/components/responses/ApiErrorResponse' });
    const schema = response.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${source} has no JSON schema`);
    let validate = this.compiled.get(source);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(source, validate);
    }
    return { validate, headers: Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()), source };
  }

  private resolve(response: ResponseObject): ResponseObject {
    if (!response.$ref) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    const target = this.spec.components.responses[name];
    if (!target) throw new Error(`unresolved ${response.$ref}`);
    return this.resolve(target);
  }
}
