// Runs users' regular expressions in linear time: ECMA-262 syntax (u flag), translated to RE2's and run by re2js.
import { RE2JS } from 're2js';
import type { ErrorCode } from '../errors.js';

/** A pattern that is valid ECMA-262 but has no linear-time equivalent (a backreference, a lookaround, …). */
export class PatternUnsupportedError extends Error {
  readonly code = 'SCHEMA_PATTERN_UNSUPPORTED' satisfies ErrorCode;
}

/** What ajv needs of a compiled pattern (`code.regExp`): `test`, and `toString` as its cache key. */
export interface LinearRegExp {
  test(text: string): boolean;
  toString(): string;
}

/**
 * Compiles a JSON Schema pattern. Throws SyntaxError when it is not a valid ECMA-262 regular expression with the u
 * flag (the dialect JSON Schema names), PatternUnsupportedError when it is valid but cannot run in linear time.
 */
export function compileLinearRegExp(pattern: string): LinearRegExp {
  let outcome = compiledPatterns.get(pattern);
  if (outcome === undefined) {
    try {
      outcome = compileUncached(pattern);
    } catch (cause) {
      outcome = cause as Error;
    }
    // Bounded: a registry's patterns repeat (checked at build, compiled again by ajv); a flood of distinct ones resets it.
    if (compiledPatterns.size >= maxCachedPatterns) compiledPatterns.clear();
    compiledPatterns.set(pattern, outcome);
  }
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/** Compiled patterns are stateless (no lastIndex), so one serves every schema that holds the same text. */
const compiledPatterns = new Map<string, LinearRegExp | Error>();
const maxCachedPatterns = 10_000;

function compileUncached(pattern: string): LinearRegExp {
  new RegExp(pattern, 'u'); // the syntax check: only valid ECMA-262 is translated
  const translated = new PatternTranslator(pattern).translate();
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(translated);
  } catch (cause) {
    // RE2's own limits: a repeat count over 1000 (also as the product of nested repeats), an unknown \p{…} name.
    throw new PatternUnsupportedError(
      `pattern ${JSON.stringify(pattern)} cannot run in linear time: ${(cause as Error).message.replace(/^error parsing regexp: /, '')}`,
    );
  }
  const key = `/${pattern}/u`;
  return { test: (text) => compiled.test(text), toString: () => key };
}

/** The reason a valid pattern cannot be run, or undefined when it can (or is not valid ECMA-262 at all). */
export function unsupportedPatternReason(pattern: string): string | undefined {
  try {
    compileLinearRegExp(pattern);
    return undefined;
  } catch (cause) {
    return cause instanceof PatternUnsupportedError ? cause.message : undefined;
  }
}

/** ajv's `code.regExp`: the engine for every pattern and patternProperties key of a user's schema. */
export const linearRegExpEngine = Object.assign((pattern: string) => compileLinearRegExp(pattern), {
  code: 'specstore.linearRegExp',
});

/** ECMA-262's WhiteSpace and LineTerminator (what `\s` matches), as RE2 class content. RE2's `\s` is ASCII only. */
const ecmaSpace = String.raw`\t\n\x{B}\f\r\x{20}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}`;
/** What ECMA-262's `.` does not match; RE2's excludes only `\n`. */
const lineTerminators = String.raw`\n\r\x{2028}\x{2029}`;

/** ECMA-262's long General_Category names (and aliases), to RE2's short ones. */
const generalCategories: Record<string, string> = {
  Letter: 'L',
  Cased_Letter: 'LC',
  Uppercase_Letter: 'Lu',
  Lowercase_Letter: 'Ll',
  Titlecase_Letter: 'Lt',
  Modifier_Letter: 'Lm',
  Other_Letter: 'Lo',
  Mark: 'M',
  Combining_Mark: 'M',
  Spacing_Mark: 'Mc',
  Enclosing_Mark: 'Me',
  Nonspacing_Mark: 'Mn',
  Number: 'N',
  Decimal_Number: 'Nd',
  digit: 'Nd',
  Letter_Number: 'Nl',
  Other_Number: 'No',
  Punctuation: 'P',
  punct: 'P',
  Connector_Punctuation: 'Pc',
  Dash_Punctuation: 'Pd',
  Close_Punctuation: 'Pe',
  Final_Punctuation: 'Pf',
  Initial_Punctuation: 'Pi',
  Other_Punctuation: 'Po',
  Open_Punctuation: 'Ps',
  Symbol: 'S',
  Currency_Symbol: 'Sc',
  Modifier_Symbol: 'Sk',
  Math_Symbol: 'Sm',
  Other_Symbol: 'So',
  Separator: 'Z',
  Line_Separator: 'Zl',
  Paragraph_Separator: 'Zp',
  Space_Separator: 'Zs',
  Other: 'C',
  Control: 'Cc',
  cntrl: 'Cc',
  Format: 'Cf',
  Unassigned: 'Cn',
  Private_Use: 'Co',
  Surrogate: 'Cs',
};

const unsupported = (pattern: string, what: string) =>
  new PatternUnsupportedError(`pattern ${JSON.stringify(pattern)} uses ${what}, which a linear-time engine cannot run`);

const hex = (codePoint: number) => `\\x{${codePoint.toString(16).toUpperCase()}}`;

/**
 * One pass over a pattern already known to be valid ECMA-262 (u flag), writing RE2 syntax with ECMA-262's meaning:
 * every literal as `\x{…}` (so nothing is read as RE2-only syntax such as `[[:alpha:]]`), `.` and `\s` spelt out,
 * groups non-capturing (only `test` is ever asked). Backreferences and lookarounds throw.
 */
class PatternTranslator {
  private i = 0;

  constructor(private readonly pattern: string) {}

  translate(): string {
    let out = '';
    const p = this.pattern;
    while (this.i < p.length) {
      const c = p[this.i]!;
      if (c === '\\') out += this.escape(false).text;
      else if (c === '[') out += this.characterClass();
      else if (c === '.') {
        out += `[^${lineTerminators}]`;
        this.i += 1;
      } else if (c === '(') out += this.groupOpening();
      else if (c === '{') {
        // A quantifier (a lone brace is a syntax error under the u flag): its digits and comma as they are.
        const end = p.indexOf('}', this.i);
        out += p.slice(this.i, end + 1);
        this.i = end + 1;
      } else if ('^$|)*+?'.includes(c)) {
        out += c;
        this.i += 1;
      } else out += this.literal();
    }
    return out;
  }

  private literal(): string {
    const codePoint = this.pattern.codePointAt(this.i)!;
    this.i += codePoint > 0xffff ? 2 : 1;
    return /[A-Za-z0-9]/.test(String.fromCodePoint(codePoint)) ? String.fromCodePoint(codePoint) : hex(codePoint);
  }

  private groupOpening(): string {
    const p = this.pattern;
    if (p.startsWith('(?:', this.i)) {
      this.i += 3;
    } else if (p.startsWith('(?=', this.i) || p.startsWith('(?!', this.i)) {
      throw unsupported(p, 'a lookahead');
    } else if (p.startsWith('(?<=', this.i) || p.startsWith('(?<!', this.i)) {
      throw unsupported(p, 'a lookbehind');
    } else if (p.startsWith('(?<', this.i)) {
      this.i = p.indexOf('>', this.i) + 1;
    } else {
      this.i += 1;
    }
    return '(?:';
  }

  /**
   * An escape at `i` (a backslash), as RE2 syntax. Inside a class, `\s` is class content and `\S` is marked for the
   * caller (RE2 cannot subtract ECMA's space set inside a class).
   */
  private escape(inClass: boolean): { text: string; notSpace?: boolean } {
    const p = this.pattern;
    const c = p[this.i + 1]!; // the syntax check guarantees an escape is followed by a character
    this.i += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W': // ASCII in both dialects (no i flag)
        return { text: `\\${c}` };
      case 'b':
        return { text: inClass ? hex(8) : '\\b' };
      case 'B':
        return { text: '\\B' };
      case 's':
        return { text: inClass ? ecmaSpace : `[${ecmaSpace}]` };
      case 'S':
        return inClass ? { text: '', notSpace: true } : { text: `[^${ecmaSpace}]` };
      case 't':
      case 'n':
      case 'v':
      case 'f':
      case 'r':
        return { text: hex(9 + 'tnvfr'.indexOf(c)) };
      case '0':
        return { text: hex(0) };
      case 'c':
        this.i += 1;
        return { text: hex(p.charCodeAt(this.i - 1) % 32) };
      case 'x':
        this.i += 2;
        return { text: hex(parseInt(p.slice(this.i - 2, this.i), 16)) };
      case 'u':
        return { text: hex(this.unicodeEscape()) };
      case 'p':
      case 'P': {
        const property = this.property(c);
        return { text: inClass || !property.startsWith('[:') ? property : `[${property}]` };
      }
      case 'k':
        throw unsupported(p, 'a backreference');
      default:
        if (c >= '1' && c <= '9') throw unsupported(p, 'a backreference');
        // An identity escape (a syntax character, `/`, or `-` in a class): the character itself.
        this.i -= 1;
        return { text: this.literal() };
    }
  }

  /** After `\u`: `{…}`, or four digits (the pattern was validated with the u flag, so the escape is well formed). */
  private unicodeEscape(): number {
    const escape = readUnicodeEscape(this.pattern, this.i)!;
    this.i = escape.end;
    return escape.codePoint;
  }

  /**
   * `\p{…}` / `\P{…}`, as class content in RE2's names: General_Category and Script values and binary properties;
   * ASCII, which RE2 has only as a POSIX class. An unknown name fails RE2's compilation.
   */
  private property(letter: 'p' | 'P'): string {
    const p = this.pattern;
    const end = p.indexOf('}', this.i);
    const body = p.slice(this.i + 1, end);
    this.i = end + 1;
    const [name, value] = body.includes('=') ? body.split('=') : [undefined, body];
    let re2Name: string;
    if (name === undefined) re2Name = value === 'ASCII' ? '' : (generalCategories[value] ?? value);
    else if (name === 'General_Category' || name === 'gc') re2Name = generalCategories[value] ?? value;
    else if (name === 'Script' || name === 'sc') re2Name = value;
    else throw unsupported(p, `\\${letter}{${body}} (Script_Extensions)`);
    if (re2Name === '') return letter === 'p' ? '[:ascii:]' : '[:^ascii:]';
    return `\\${letter}{${re2Name}}`;
  }

  /** `[…]` at `i`. Every literal as `\x{…}`; `[^]` and `[]` spelt out; a class with `\S` as an alternation. */
  private characterClass(): string {
    const p = this.pattern;
    this.i += 1;
    const negated = p[this.i] === '^';
    if (negated) this.i += 1;
    let items = '';
    let notSpace = false;
    // Whether the last item was one character, which a `-` then makes the start of a range (after a range, it is literal).
    let rangeCanStart = false;
    while (p[this.i] !== ']') {
      if (p[this.i] === '\\') {
        const escaped = this.escape(true);
        items += escaped.text;
        notSpace ||= escaped.notSpace === true;
        rangeCanStart = escaped.text.startsWith('\\x{');
      } else if (p[this.i] === '-' && rangeCanStart && p[this.i + 1] !== ']') {
        items += '-';
        this.i += 1;
        rangeCanStart = false;
        items += p[this.i] === '\\' ? this.escape(true).text : this.literal();
      } else {
        const literal = this.literal();
        items += literal;
        rangeCanStart = true;
      }
    }
    this.i += 1;
    const all = String.raw`\x{0}-\x{10FFFF}`;
    if (notSpace) {
      if (negated) throw unsupported(p, String.raw`\S inside a negated class`);
      return items === '' ? `[^${ecmaSpace}]` : `(?:[${items}]|[^${ecmaSpace}])`;
    }
    if (items === '') return negated ? `[${all}]` : `[^${all}]`;
    return negated ? `[^${items}]` : `[${items}]`;
  }
}

/**
 * The code point of a `\u` escape whose `u` is just before `start`: `{…}`, or four hex digits joined with a following
 * `\uDC00`-`\uDFFF` into one code point, as ECMA-262 does under the u flag; `end` is where the escape stops.
 * Undefined when it is not well formed.
 */
export function readUnicodeEscape(pattern: string, start: number): { codePoint: number; end: number } | undefined {
  if (pattern[start] === '{') {
    const end = pattern.indexOf('}', start);
    const text = pattern.slice(start + 1, end);
    if (end < 0 || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
    return { codePoint: parseInt(text, 16), end: end + 1 };
  }
  const text = pattern.slice(start, start + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(text)) return undefined;
  const unit = parseInt(text, 16);
  const next = start + 4;
  if (unit >= 0xd800 && unit <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(pattern.slice(next, next + 6))) {
    const low = parseInt(pattern.slice(next + 2, next + 6), 16);
    return { codePoint: (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000, end: next + 6 };
  }
  return { codePoint: unit, end: next };
}
