import type { FieldSpec, ResourceSpec } from './fields';

/**
 * One resource's records (clients, suppliers, products, issued documents), per
 * company, in memory: every field of the spec that a request sends is kept
 * and returned; a field of the wrong type, a value outside its enum or a
 * missing required field is a 422 with the API's `validation_result`.
 */

export type Fields = Record<string, unknown>;

/** A 422 as Fatture in Cloud words it: a message, and the failing fields with why. */
export class ValidationError extends Error {
  constructor(readonly fields: Record<string, string[]>) {
    super(Object.entries(fields).map(([field, reasons]) => `${field}: ${reasons.join(' ')}`).join('; '));
  }
}

/** The records of one company most a stand-in keeps per resource: a test's data, not a database. */
const MAX_RECORDS = 1000;

export class RecordBook {
  private readonly byCompany = new Map<number, Map<number, Fields>>();
  private nextID = 1;

  constructor(
    readonly spec: ResourceSpec,
    /** What a company holds before any request: the stand-in's sample data. */
    private readonly initial: (companyID: number) => Fields[],
    /** The stand-in's clock, which tests move. */
    private readonly now: () => number,
  ) {}

  list(companyID: number): Fields[] {
    return [...this.company(companyID).values()].map((record) => structuredClone(record));
  }

  get(companyID: number, id: number): Fields | undefined {
    const record = this.company(companyID).get(id);
    return record && structuredClone(record);
  }

  /** The new record, with `defaults` under what was sent; `complete` fills in what the resource derives (numbers, totals). */
  create(companyID: number, data: unknown, complete: (record: Fields, companyID: number) => void = () => undefined): Fields {
    const fields = this.validated(data, true);
    const records = this.company(companyID);
    if (records.size >= MAX_RECORDS) throw new ValidationError({ data: [`The stand-in keeps at most ${MAX_RECORDS} records of a kind a company.`] });
    const now = timestamp(this.now());
    const record: Fields = { ...fields, id: this.takeID(), created_at: now, updated_at: now };
    complete(record, companyID);
    records.set(record.id as number, record);
    return structuredClone(record);
  }

  /** The record with `data` merged over it; undefined when there is none. */
  modify(companyID: number, id: number, data: unknown, complete: (record: Fields, companyID: number) => void = () => undefined): Fields | undefined {
    const records = this.company(companyID);
    const current = records.get(id);
    if (!current) return undefined;
    const record: Fields = { ...current, ...this.validated(data, false), id, updated_at: timestamp(this.now()) };
    complete(record, companyID);
    records.set(id, record);
    return structuredClone(record);
  }

  delete(companyID: number, id: number): boolean {
    return this.company(companyID).delete(id);
  }

  /** Records a test puts in place, as they are (ids kept when given). */
  seed(companyID: number, records: readonly Fields[], complete: (record: Fields, companyID: number) => void = () => undefined): Fields[] {
    return records.map((data) => {
      const now = timestamp(this.now());
      const record: Fields = { created_at: now, updated_at: now, ...this.validated(data, false), id: typeof data.id === 'number' ? data.id : this.takeID() };
      if (typeof data.id === 'number') this.nextID = Math.max(this.nextID, data.id + 1);
      complete(record, companyID);
      this.company(companyID).set(record.id as number, record);
      return structuredClone(record);
    });
  }

  private company(companyID: number): Map<number, Fields> {
    let records = this.byCompany.get(companyID);
    if (!records) {
      records = new Map();
      this.byCompany.set(companyID, records);
      for (const record of this.initial(companyID)) {
        records.set(record.id as number, record);
        this.nextID = Math.max(this.nextID, (record.id as number) + 1);
      }
    }
    return records;
  }

  private takeID(): number {
    return this.nextID++;
  }

  /** The spec's fields of `data`, checked; read-only ones and those the spec does not name are left out, as the API ignores them. */
  private validated(data: unknown, creating: boolean): Fields {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ValidationError({ data: ['The data field is required and must be an object.'] });
    const problems: Record<string, string[]> = {};
    const kept: Fields = {};
    for (const [field, value] of Object.entries(data as Fields)) {
      const spec = this.spec.fields[field];
      if (!spec || spec.readOnly || field === 'id') continue;
      const problem = value === null ? undefined : typeProblem(spec, value);
      if (problem) problems[field] = [problem];
      else kept[field] = structuredClone(value);
    }
    if (creating) {
      for (const field of this.spec.required) {
        const value = (data as Fields)[field];
        if (value === undefined || value === null || value === '') problems[field] = [`The ${field} field is required.`];
      }
    }
    if (Object.keys(problems).length > 0) throw new ValidationError(problems);
    return kept;
  }
}

function typeProblem(spec: FieldSpec, value: unknown): string | undefined {
  const fits =
    spec.type === 'integer' ? Number.isInteger(value)
    : spec.type === 'number' ? typeof value === 'number' && Number.isFinite(value)
    : spec.type === 'array' ? Array.isArray(value)
    : spec.type === 'object' ? typeof value === 'object' && !Array.isArray(value)
    : typeof value === spec.type;
  if (!fits) return `must be ${spec.type === 'integer' ? 'an integer' : `a${/^[aeio]/.test(spec.type) ? 'n' : ''} ${spec.type}`}.`;
  if (spec.enum && !spec.enum.includes(value as string)) return `must be one of ${spec.enum.join(', ')}.`;
  return undefined;
}

/** `YYYY-MM-DD HH:MM:SS`, as Fatture in Cloud writes created_at and updated_at. */
function timestamp(now: number): string {
  return new Date(now).toISOString().slice(0, 19).replace('T', ' ');
}
