// A parser for the subset of SOQL peoplesync sends (and a little more): SELECT fields FROM object
// [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n]. Pure: text in, syntax tree out.

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  /** value in Salesforce's own fixed-width form, so it compares with stored values as text. */
  | { kind: 'datetime'; value: string }
  | { kind: 'date'; value: string };

export type CmpOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Expr =
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'not'; expr: Expr }
  | { type: 'cmp'; field: string; op: CmpOp; value: Literal }
  | { type: 'in'; field: string; negate: boolean; values: Literal[] };

export interface OrderKey {
  field: string;
  desc: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  /** SELECT COUNT(): the answer carries only totalSize. */
  count?: boolean;
  fields: string[];
  object: string;
  where?: Expr;
  orderBy: OrderKey[];
  limit?: number;
  offset?: number;
}

export class SoqlSyntaxError extends Error {
  override name = 'SoqlSyntaxError';
}

type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'dt'; v: string; pos: number }
  | { t: 'date'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'punct'; v: string; pos: number };

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\d:T])/;
const NUM_RE = /^-?\d+(?:\.\d+)?/;
const WORD_RE = /^[A-Za-z_][A-Za-z0-9_.]*/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

function readString(src: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < src.length; i++) {
    const ch = src[i];
    if (ch === "'") return { value, end: i + 1 };
    if (ch === '\\') {
      const next = src[i + 1];
      if (next === undefined || !(next in ESCAPES)) throw new SoqlSyntaxError(`invalid escape sequence at position ${i}`);
      value += ESCAPES[next];
      i++;
    } else {
      value += ch;
    }
  }
  throw new SoqlSyntaxError(`unterminated string literal starting at position ${start}`);
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i, i + 40);
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      const s = readString(src, i);
      out.push({ t: 'str', v: s.value, pos: i });
      i = s.end;
      continue;
    }
    const dt = DATETIME_RE.exec(rest);
    if (dt) {
      out.push({ t: 'dt', v: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE_RE.exec(rest);
    if (d) {
      out.push({ t: 'date', v: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
    if (op) {
      out.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if ('(),'.includes(ch)) {
      out.push({ t: 'punct', v: ch, pos: i });
      i++;
      continue;
    }
    const n = NUM_RE.exec(rest);
    if (n) {
      out.push({ t: 'num', v: n[0], pos: i });
      i += n[0].length;
      continue;
    }
    const w = WORD_RE.exec(src.slice(i));
    if (w) {
      out.push({ t: 'word', v: w[0], pos: i });
      i += w[0].length;
      continue;
    }
    throw new SoqlSyntaxError(`unexpected character '${ch}' at position ${i}`);
  }
  return out;
}

/** Normalises a SOQL date-time literal to `YYYY-MM-DDTHH:MM:SS.sss+0000` (UTC). */
export function normalizeDateTimeLiteral(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!m) throw new SoqlSyntaxError(`invalid date-time literal ${text}`);
  const zone = m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const ms = Date.parse(`${m[1]}${m[2] ?? ''}${zone}`);
  if (Number.isNaN(ms)) throw new SoqlSyntaxError(`invalid date-time literal ${text}`);
  return new Date(ms).toISOString().replace('Z', '+0000');
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isKeyword(word: string, offset = 0): boolean {
    const tok = this.tokens[this.i + offset];
    return tok?.t === 'word' && tok.v.toUpperCase() === word;
  }

  private fail(expected: string): never {
    const tok = this.peek();
    throw new SoqlSyntaxError(
      tok ? `expected ${expected} but found '${tok.v}' at position ${tok.pos}` : `expected ${expected} but the query ended`,
    );
  }

  private keyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(word);
    this.i++;
  }

  private punct(ch: string): void {
    const tok = this.peek();
    if (tok?.t !== 'punct' || tok.v !== ch) this.fail(`'${ch}'`);
    this.i++;
  }

  private identifier(what: string): string {
    const tok = this.peek();
    if (tok?.t !== 'word' || RESERVED.has(tok.v.toUpperCase())) this.fail(what);
    this.i++;
    return tok.v;
  }

  parse(): SoqlQuery {
    this.keyword('SELECT');
    const count = this.isKeyword('COUNT') && this.tokens[this.i + 1]?.v === '(';
    const fields: string[] = [];
    if (count) {
      this.i++;
      this.punct('(');
      this.punct(')');
    } else {
      fields.push(this.identifier('a field name'));
      while (this.peek()?.v === ',') {
        this.i++;
        fields.push(this.identifier('a field name'));
      }
    }
    this.keyword('FROM');
    const q: SoqlQuery = { fields, object: this.identifier('an object name'), orderBy: [] };
    if (count) q.count = true;
    if (this.isKeyword('WHERE')) {
      this.i++;
      q.where = this.orExpr();
    }
    if (this.isKeyword('ORDER')) {
      this.i++;
      this.keyword('BY');
      q.orderBy = this.orderKeys();
    }
    if (this.isKeyword('LIMIT')) {
      this.i++;
      q.limit = this.count('LIMIT');
    }
    if (this.isKeyword('OFFSET')) {
      this.i++;
      q.offset = this.count('OFFSET');
    }
    if (this.peek()) this.fail('the end of the query');
    return q;
  }

  private count(what: string): number {
    const tok = this.peek();
    if (tok?.t !== 'num' || !/^\d+$/.test(tok.v)) this.fail(`a non-negative integer after ${what}`);
    this.i++;
    return Number(tok.v);
  }

  private orderKeys(): OrderKey[] {
    const keys: OrderKey[] = [];
    do {
      if (keys.length) this.i++;
      const field = this.identifier('a field name');
      let desc = false;
      if (this.isKeyword('ASC')) this.i++;
      else if (this.isKeyword('DESC')) {
        this.i++;
        desc = true;
      }
      let nullsLast = desc;
      if (this.isKeyword('NULLS')) {
        this.i++;
        if (this.isKeyword('FIRST')) nullsLast = false;
        else if (this.isKeyword('LAST')) nullsLast = true;
        else this.fail('FIRST or LAST');
        this.i++;
      }
      keys.push({ field, desc, nullsLast });
    } while (this.peek()?.v === ',');
    return keys;
  }

  private orExpr(): Expr {
    let left = this.andExpr();
    while (this.isKeyword('OR')) {
      this.i++;
      left = { type: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.unary();
    while (this.isKeyword('AND')) {
      this.i++;
      left = { type: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isKeyword('NOT')) {
      this.i++;
      return { type: 'not', expr: this.unary() };
    }
    if (this.peek()?.v === '(') {
      this.i++;
      const inner = this.orExpr();
      this.punct(')');
      return inner;
    }
    return this.condition();
  }

  private condition(): Expr {
    const field = this.identifier('a field name');
    if (this.isKeyword('IN') || (this.isKeyword('NOT') && this.isKeyword('IN', 1))) {
      const negate = this.isKeyword('NOT');
      this.i += negate ? 2 : 1;
      this.punct('(');
      const values = [this.literal()];
      while (this.peek()?.v === ',') {
        this.i++;
        values.push(this.literal());
      }
      this.punct(')');
      return { type: 'in', field, negate, values };
    }
    const tok = this.peek();
    if (tok?.t !== 'op') this.fail('a comparison operator');
    this.i++;
    return { type: 'cmp', field, op: tok.v as CmpOp, value: this.literal() };
  }

  private literal(): Literal {
    const tok = this.peek();
    if (!tok) this.fail('a value');
    this.i++;
    switch (tok.t) {
      case 'str':
        return { kind: 'string', value: tok.v };
      case 'num':
        return { kind: 'number', value: Number(tok.v) };
      case 'dt':
        return { kind: 'datetime', value: normalizeDateTimeLiteral(tok.v) };
      case 'date':
        return { kind: 'date', value: tok.v };
      case 'word': {
        const w = tok.v.toLowerCase();
        if (w === 'null') return { kind: 'null' };
        if (w === 'true' || w === 'false') return { kind: 'boolean', value: w === 'true' };
        break;
      }
      default:
        break;
    }
    this.i--;
    return this.fail('a value');
  }
}

const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
  'ASC',
  'DESC',
  'NULLS',
  'NULL',
  'TRUE',
  'FALSE',
]);

export function parseSoql(text: string): SoqlQuery {
  return new Parser(tokenize(text)).parse();
}
