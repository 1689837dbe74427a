/**
 * The `q` parameter of Fatture in Cloud's lists: conditions `field op value`
 * joined by `and` / `or`, with parentheses, as the official SDKs' `Filter`
 * builds them (`(name = 'Rossi' and type <> 'pa')`). Operators: `=`, `<>`,
 * `>`, `>=`, `<`, `<=`, `is`, `is not` (with `null`), `like`, `not like` (`%`
 * any run, `_` one character), `contains`, `not contains`, `starts with`,
 * `ends with`. Values: 'quoted' strings (`''` for a quote), numbers, `true`,
 * `false`, `null`. Fields may name nested ones (`entity.name`). Text compares
 * without regard to case, as Fatture in Cloud's database does. `and` binds
 * tighter than `or`.
 */

export type Predicate = (record: Readonly<Record<string, unknown>>) => boolean;

export class FilterError extends Error {}

type Value = string | number | boolean | null;

const OPERATORS = ['is not', 'not like', 'not contains', 'starts with', 'ends with', '>=', '<=', '<>', '=', '>', '<', 'is', 'like', 'contains'] as const;
type Operator = (typeof OPERATORS)[number];

/** `q` as a predicate; a FilterError saying where it went wrong for anything else. */
export function parseFilter(query: string): Predicate {
  const parser = new Parser(query);
  const predicate = parser.disjunction();
  parser.skipSpace();
  if (!parser.atEnd()) throw parser.error('unexpected text');
  return predicate;
}

class Parser {
  private position = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  error(what: string): FilterError {
    return new FilterError(`Invalid q at character ${this.position + 1}: ${what}`);
  }

  skipSpace(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position += 1;
  }

  disjunction(): Predicate {
    const terms = [this.conjunction()];
    while (this.keyword('or')) terms.push(this.conjunction());
    return terms.length === 1 ? (terms[0] as Predicate) : (record) => terms.some((term) => term(record));
  }

  private conjunction(): Predicate {
    const factors = [this.factor()];
    while (this.keyword('and')) factors.push(this.factor());
    return factors.length === 1 ? (factors[0] as Predicate) : (record) => factors.every((factor) => factor(record));
  }

  private factor(): Predicate {
    this.skipSpace();
    if (this.text[this.position] === '(') {
      this.position += 1;
      const inner = this.disjunction();
      this.skipSpace();
      if (this.text[this.position] !== ')') throw this.error('a ) is missing');
      this.position += 1;
      return inner;
    }
    return this.condition();
  }

  private condition(): Predicate {
    this.skipSpace();
    const field = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.position))?.[0];
    if (!field) throw this.error('a field name is expected');
    this.position += field.length;
    this.skipSpace();
    const operator = OPERATORS.find((candidate) => this.startsWithWord(candidate));
    if (!operator) throw this.error(`an operator is expected after ${field}`);
    this.position += operator.length;
    const value = this.value();
    if ((operator === 'is' || operator === 'is not') !== (value === null)) throw this.error(`${operator} goes with null, and null with is or is not`);
    return (record) => compare(valueAt(record, field), operator, value);
  }

  private value(): Value {
    this.skipSpace();
    const rest = this.text.slice(this.position);
    if (rest.startsWith("'")) {
      let end = 1;
      let text = '';
      for (;;) {
        const quote = rest.indexOf("'", end);
        if (quote < 0) throw this.error('a string is not closed');
        text += rest.slice(end, quote);
        if (rest[quote + 1] !== "'") {
          this.position += quote + 1;
          return text;
        }
        text += "'";
        end = quote + 2;
      }
    }
    const word = /^(-?\d+(\.\d+)?|true|false|null)(?![A-Za-z0-9_])/i.exec(rest)?.[0];
    if (!word) throw this.error('a value is expected: a quoted string, a number, true, false or null');
    this.position += word.length;
    const lower = word.toLowerCase();
    return lower === 'null' ? null : lower === 'true' ? true : lower === 'false' ? false : Number(word);
  }

  /** `word` here, case-insensitively, not as the start of a longer name. */
  private keyword(word: string): boolean {
    this.skipSpace();
    if (!this.startsWithWord(word)) return false;
    this.position += word.length;
    return true;
  }

  private startsWithWord(word: string): boolean {
    const candidate = this.text.slice(this.position, this.position + word.length);
    if (candidate.toLowerCase() !== word) return false;
    return !/[A-Za-z]/.test(word.at(-1) ?? '') || !/[A-Za-z0-9_]/.test(this.text[this.position + word.length] ?? '');
  }
}

function valueAt(record: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function compare(actual: unknown, operator: Operator, expected: Value): boolean {
  switch (operator) {
    case 'is':
      return actual === null || actual === undefined;
    case 'is not':
      return actual !== null && actual !== undefined;
    case 'like':
      return likePattern(String(expected)).test(text(actual));
    case 'not like':
      return !likePattern(String(expected)).test(text(actual));
    case 'contains':
      return text(actual).includes(String(expected).toLowerCase());
    case 'not contains':
      return !text(actual).includes(String(expected).toLowerCase());
    case 'starts with':
      return text(actual).startsWith(String(expected).toLowerCase());
    case 'ends with':
      return text(actual).endsWith(String(expected).toLowerCase());
    default:
      return ordered(actual, operator, expected);
  }
}

function ordered(actual: unknown, operator: '=' | '<>' | '>' | '>=' | '<' | '<=', expected: Value): boolean {
  const order = orderOf(actual, expected);
  if (order === undefined) return operator === '<>';
  switch (operator) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
  }
}

/** How `actual` orders against `expected`: numbers as numbers, anything else as text without case; undefined for a missing value. */
function orderOf(actual: unknown, expected: Value): number | undefined {
  if (actual === null || actual === undefined || expected === null) return undefined;
  if (typeof expected === 'number' && typeof actual === 'number') return Math.sign(actual - expected);
  if (typeof expected === 'boolean') return actual === expected ? 0 : 1;
  return text(actual).localeCompare(String(expected).toLowerCase());
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value.toLowerCase() : JSON.stringify(value).toLowerCase();
}

function likePattern(pattern: string): RegExp {
  const source = Array.from(pattern).map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'is');
}
