import type { Profile } from 'passport';
import { FattureInCloudError } from '../errors';

/**
 * The pure mapping from Fatture in Cloud's `GET /user/info` and
 * `GET /user/companies` bodies to a Passport profile. Every field is optional and
 * nullable in the official spec, so missing or null fields never throw; a field
 * of the wrong type does, with the path that was wrong.
 */

export type FattureInCloudPlan = 'trial' | 'standard' | 'premium' | 'premium_plus' | 'complete';

/** A company as List User Companies returns it (snake_case, as Fatture in Cloud sends it). */
export interface FattureInCloudCompany {
  id?: number | null;
  name?: string | null;
  type?: 'company' | 'accountant' | (string & {}) | null;
  fic_plan?: FattureInCloudPlan | (string & {}) | null;
  /** `YYYY-MM-DD`. */
  fic_license_expire?: string | null;
  connection_id?: number | null;
  tax_code?: string | null;
  vat_number?: string | null;
  /** Set only for accountants: the companies they act for. */
  controlled_companies?: FattureInCloudCompany[] | null;
  /** A live credential for this company; present only with `includeCompanyAccessTokens: true`. */
  access_token?: string | null;
  [field: string]: unknown;
}

export interface FattureInCloudUser {
  id?: number | null;
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  hash?: string | null;
  picture?: string | null;
  [field: string]: unknown;
}

/** The body of `GET /user/info`. */
export interface FattureInCloudUserInfoResponse {
  data?: FattureInCloudUser | null;
  [field: string]: unknown;
}

/** The body of `GET /user/companies`, company access tokens removed unless asked for. */
export interface FattureInCloudCompaniesResponse {
  data?: { companies?: FattureInCloudCompany[] | null; [field: string]: unknown } | null;
  [field: string]: unknown;
}

export interface FattureInCloudProfile extends Profile {
  provider: 'fattureincloud';
  /** The user id as a string; empty only if Fatture in Cloud sent none. */
  id: string;
  companies: FattureInCloudCompany[];
  _json: { user: FattureInCloudUserInfoResponse; companies: FattureInCloudCompaniesResponse };
  /** `_json` as a JSON string. */
  _raw: string;
}

export interface ParseProfileOptions {
  /** Keep each company's `access_token` (a live credential). Default false. */
  includeCompanyAccessTokens?: boolean;
}

type Fields = Record<string, unknown>;

export function parseProfile(
  userInfoBody: unknown,
  companiesBody: unknown,
  options: ParseProfileOptions = {},
): FattureInCloudProfile {
  const userBody = objectAt(userInfoBody, 'user/info') ?? {};
  const companiesResponse = objectAt(companiesBody, 'user/companies') ?? {};
  const user = parseUser(objectAt(userBody.data, 'user/info: data') ?? {});
  const companiesData = objectAt(companiesResponse.data, 'user/companies: data');
  const companies = parseCompanies(companiesData?.companies, 'user/companies: data.companies', options);
  const json = {
    user: userBody as FattureInCloudUserInfoResponse,
    companies: (companiesData ? { ...companiesResponse, data: { ...companiesData, companies } } : companiesResponse) as FattureInCloudCompaniesResponse,
  };
  const profile = { ...userFields(user), provider: 'fattureincloud' as const, companies, _json: json } as FattureInCloudProfile;
  return withLazyRaw(profile);
}

/**
 * `_raw` is `_json` as a string. Most apps never read it, so it is serialized on
 * first read (a quarter of the profile's cost otherwise); it stays enumerable,
 * so JSON.stringify(profile) still includes it.
 */
function withLazyRaw(profile: FattureInCloudProfile): FattureInCloudProfile {
  let raw: string | undefined;
  return Object.defineProperty(profile, '_raw', {
    enumerable: true,
    configurable: true,
    get: () => (raw ??= JSON.stringify(profile._json)),
    set: (value: string) => void (raw = value),
  });
}

function userFields(user: FattureInCloudUser): Omit<Profile, 'provider'> {
  const fullName = [user.first_name, user.last_name].filter(Boolean).join(' ');
  const profile: Omit<Profile, 'provider'> = {
    id: user.id == null ? '' : String(user.id),
    displayName: user.name || fullName || user.email || '',
  };
  if (user.first_name || user.last_name) {
    profile.name = { givenName: user.first_name ?? '', familyName: user.last_name ?? '' };
  }
  if (user.email) profile.emails = [{ value: user.email }];
  if (user.picture) profile.photos = [{ value: user.picture }];
  return profile;
}

const USER_STRINGS = ['name', 'first_name', 'last_name', 'email', 'hash', 'picture'] as const;
const COMPANY_STRINGS = ['name', 'type', 'fic_plan', 'fic_license_expire', 'tax_code', 'vat_number', 'access_token'] as const;
const COMPANY_NUMBERS = ['id', 'connection_id'] as const;

function parseUser(data: Fields): FattureInCloudUser {
  checkFields(data, 'user/info: data', USER_STRINGS, ['id']);
  return data;
}

/** Accountants control companies one level down; anything this deep is not Fatture in Cloud's. */
const MAX_COMPANY_NESTING = 8;

function parseCompanies(value: unknown, path: string, options: ParseProfileOptions, depth = 0): FattureInCloudCompany[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw shapeError(path, 'an array', value);
  if (depth > MAX_COMPANY_NESTING) {
    throw new FattureInCloudError(`Fatture in Cloud's ${path} nests controlled companies deeper than ${MAX_COMPANY_NESTING} levels`, {
      code: 'invalid_response',
    });
  }
  const companies: FattureInCloudCompany[] = [];
  value.forEach((entry: unknown, index) => {
    if (entry != null) companies.push(parseCompany(entry, `${path}[${index}]`, options, depth));
  });
  return companies;
}

function parseCompany(value: unknown, path: string, options: ParseProfileOptions, depth: number): FattureInCloudCompany {
  const fields = requireObject(value, path);
  checkFields(fields, path, COMPANY_STRINGS, COMPANY_NUMBERS);
  const company: Fields = { ...fields };
  if (!options.includeCompanyAccessTokens) delete company.access_token;
  if (fields.controlled_companies != null) {
    company.controlled_companies = parseCompanies(fields.controlled_companies, `${path}.controlled_companies`, options, depth + 1);
  }
  return company;
}

function checkFields(fields: Fields, path: string, strings: readonly string[], numbers: readonly string[]): void {
  for (const key of strings) {
    if (fields[key] != null && typeof fields[key] !== 'string') throw shapeError(`${path}.${key}`, 'a string', fields[key]);
  }
  // Ids beyond 2^53 were rounded by JSON.parse: two users could share one.
  for (const key of numbers) {
    if (fields[key] != null && !Number.isSafeInteger(fields[key])) throw shapeError(`${path}.${key}`, 'a whole number below 2^53', fields[key]);
  }
}

/** An object, undefined for null or undefined, and an error for anything else. */
function objectAt(value: unknown, path: string): Fields | undefined {
  return value == null ? undefined : requireObject(value, path);
}

function requireObject(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw shapeError(path, 'an object', value);
  return value as Fields;
}

function shapeError(path: string, expected: string, value: unknown): FattureInCloudError {
  const actual = Array.isArray(value) ? 'an array' : typeof value;
  return new FattureInCloudError(
    `Fatture in Cloud's ${path} should be ${expected}, got ${actual}`,
    { code: 'invalid_response' },
  );
}
