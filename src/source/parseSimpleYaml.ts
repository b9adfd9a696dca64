// A fast reader for the plain subset of YAML most spec files are written in. It answers only when it is sure.
//
// The full path (yaml's lexer, parser and composer, then the JSON walk) is most of a cold build's time per file. This
// reader accepts block mappings and sequences, one-line flow collections, plain scalars made of a safe alphabet,
// quoted scalars without escapes, and literal block scalars (`|` and `|-`, clip and strip), and returns exactly the
// value the full path returns for them. On anything else (tabs, anchors, tags, folded or keep (`>`, `|+`) block
// scalars and indentation indicators, other multi-line scalars, escapes, duplicate keys, numbers in any but the
// plainest form, limits reached) it returns undefined and the caller runs the full path, which also reports every
// problem with its position. test/source/parseSimpleYaml.test.ts holds it to the full path on generated documents.
import { newJsonObject, type JsonObject, type JsonValue } from '../core/json.js';

/** The value of `text` if it is in the plain subset (a mapping at the top, within the limits), else undefined. */
export function parseSimpleYaml(text: string, maxDepth: number, maxNodes: number): JsonObject | undefined {
  // Every node the full path counts takes at least one character, and at most two tokens one: a text shorter than
  // maxNodes cannot reach its node or token limits. Nesting stops one level short of its depth limit.
  if (text.length >= maxNodes || maxNodes < 16 || unsafeCharacter.test(text)) return undefined;
  const reader = new SimpleYamlReader(text, maxDepth - 1);
  try {
    return reader.document();
  } catch (error) {
    if (error === decline) return undefined;
    throw error;
  }
}

/** Thrown to give up on a document: one instance, made once, so declining captures no stack. */
const decline = new Error('not in the plain subset of YAML');

// Tabs, carriage returns (decoded text has none), C0/C1 controls, DEL, BOM, line and paragraph separators.
// eslint-disable-next-line no-control-regex
const unsafeCharacter = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029]/;

/** Plain keys: a letter, `_` or `$`, then letters, digits and `_ . $ / -`. None of them is a bool, null or number. */
const plainKey = /^[A-Za-z_$][A-Za-z0-9_.$/-]*$/;
/** Plain keys that YAML's core schema reads as something other than a string, or that JSON objects treat specially. */
const specialKey = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Nn]ull|NULL|__proto__)$/;
/** The characters of a plain scalar this reader accepts (inner spaces allowed; no indicator that changes meaning). */
const plainCharacter = /[A-Za-z0-9_.$/@+-]/;
const plainInteger = /^-?(?:0|[1-9][0-9]{0,14})$/;
const plainDecimal = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,17}$/;
const coreTrue = /^(?:[Tt]rue|TRUE)$/;
const coreFalse = /^(?:[Ff]alse|FALSE)$/;
const coreNull = /^(?:~|[Nn]ull|NULL)$/;

interface Line {
  indent: number;
  /** The line without its indentation; may be rewritten to the part after `- ` for a compact mapping. */
  content: string;
  /** Its number in the text (from 0): block scalars read the text's lines, comments and blank ones included. */
  number: number;
}

/** A literal block scalar's header, `|` or `|-`, with an optional comment: clip or strip the final line breaks. */
const literalHeader = /^\|(-?)(?: +#.*)?$/;

class SimpleYamlReader {
  /** The lines that carry structure: blank and comment-only lines carry nothing, at any indentation. */
  private readonly lines: Line[] = [];
  private readonly textLines: string[];
  private position = 0;

  constructor(
    text: string,
    private readonly maxDepth: number,
  ) {
    this.textLines = text.split('\n');
    this.textLines.forEach((line, number) => {
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      if (indent < line.length && line.charCodeAt(indent) !== 35)
        this.lines.push({ indent, content: trimEnd(line.slice(indent)), number });
    });
  }

  document(): JsonObject {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0 || isSequenceItem(first.content)) throw decline;
    const value = this.mapping(0, 1);
    if (this.position !== this.lines.length) throw decline;
    return value;
  }

  /** A block collection starting at the current line, whose indentation is `indent`. */
  private block(indent: number, depth: number): JsonValue {
    if (depth > this.maxDepth) throw decline;
    return isSequenceItem(this.lines[this.position]!.content)
      ? this.sequence(indent, depth)
      : this.mapping(indent, depth);
  }

  private mapping(indent: number, depth: number): JsonObject {
    if (depth > this.maxDepth) throw decline;
    const object = newJsonObject();
    while (this.position < this.lines.length) {
      const line = this.lines[this.position]!;
      if (line.indent < indent) break;
      if (line.indent > indent || isSequenceItem(line.content)) throw decline;
      const { key, rest } = splitKey(line.content);
      if (Object.hasOwn(object, key)) throw decline; // the full path reports YAML_DUPLICATE_KEY
      this.position++;
      object[key] =
        rest === ''
          ? this.nestedValue(indent, depth, true)
          : rest.startsWith('|')
            ? this.literal(rest, indent, line.number)
            : this.inlineValue(rest, indent, depth);
    }
    return object;
  }

  private sequence(indent: number, depth: number): JsonValue[] {
    if (depth > this.maxDepth) throw decline;
    const array: JsonValue[] = [];
    while (this.position < this.lines.length) {
      const line = this.lines[this.position]!;
      if (line.indent < indent) break;
      if (line.indent > indent || !isSequenceItem(line.content)) throw decline;
      if (line.content === '-') {
        this.position++;
        array.push(this.nestedValue(indent, depth, false));
        continue;
      }
      let offset = 2;
      while (line.content.charCodeAt(offset) === 32) offset++;
      const rest = line.content.slice(offset);
      if (rest.startsWith('#') || isSequenceItem(rest)) throw decline;
      if (keyEnd(rest) >= 0) {
        // `- key: value`: a mapping whose indentation is that of its first key; this line now holds that key.
        this.lines[this.position] = { indent: indent + offset, content: rest, number: line.number };
        array.push(this.mapping(indent + offset, depth + 1));
      } else {
        this.position++;
        array.push(
          rest.startsWith('|') ? this.literal(rest, indent, line.number) : this.inlineValue(rest, indent, depth),
        );
      }
    }
    return array;
  }

  /**
   * The value of `key:` or `-` with nothing after it: the block below it (deeper; a mapping's value may also be a
   * sequence at the key's own indentation), or null.
   */
  private nestedValue(indent: number, depth: number, ofKey: boolean): JsonValue {
    const next = this.lines[this.position];
    if (
      next !== undefined &&
      (next.indent > indent || (ofKey && next.indent === indent && isSequenceItem(next.content)))
    )
      return this.block(next.indent, depth + 1);
    return null;
  }

  /**
   * A literal block scalar (`|` or `|-`) whose header ends text line `headerLine`: the lines below indented deeper
   * than `indent`, as written, without their common indentation. Leading blank lines, lines of spaces longer than
   * that indentation and a scalar that ends the text without a line break are left to the full path.
   */
  private literal(header: string, indent: number, headerLine: number): string {
    const match = literalHeader.exec(header);
    if (!match) throw decline;
    const lines = this.textLines;
    let number = headerLine + 1;
    const first = lines[number];
    if (first === undefined) throw decline;
    let contentIndent = 0;
    while (first.charCodeAt(contentIndent) === 32) contentIndent++;
    if (contentIndent <= indent || contentIndent === first.length) throw decline;
    const content: string[] = [];
    for (; number < lines.length; number++) {
      const line = lines[number]!;
      let spaces = 0;
      while (line.charCodeAt(spaces) === 32) spaces++;
      if (spaces === line.length) {
        if (spaces > contentIndent) throw decline;
        content.push('');
      } else if (spaces < contentIndent) break;
      else content.push(line.slice(contentIndent));
    }
    if (number === lines.length && lines[number - 1] !== '') throw decline; // no line break after the last line
    while (content.length > 0 && content[content.length - 1] === '') content.pop();
    while (this.position < this.lines.length && this.lines[this.position]!.number < number) this.position++;
    const next = this.lines[this.position];
    if (next !== undefined && next.indent > indent) throw decline;
    return content.join('\n') + (match[1] === '-' ? '' : '\n');
  }

  /** A scalar or flow collection that fills the rest of a line; nothing may continue it on deeper lines. */
  private inlineValue(text: string, indent: number, depth: number): JsonValue {
    const next = this.lines[this.position];
    if (next !== undefined && next.indent > indent) throw decline; // a multi-line scalar or a mis-indented block
    const scanner = new FlowScanner(text, this, depth);
    const value = scanner.value(false);
    scanner.end();
    return value;
  }

  /** Used by FlowScanner for its collections. */
  enter(depth: number): void {
    if (depth > this.maxDepth) throw decline;
  }
}

/** Scalars and one-line flow collections, from a position in a line to its end (or a comment). */
class FlowScanner {
  private offset = 0;

  constructor(
    private readonly text: string,
    private readonly reader: SimpleYamlReader,
    private readonly depth: number,
  ) {}

  value(inFlow: boolean, depth = this.depth): JsonValue {
    const first = this.text[this.offset];
    if (first === '[') return this.flowSequence(depth + 1);
    if (first === '{') return this.flowMapping(depth + 1);
    if (first === '"' || first === "'") return this.quoted(first);
    return resolvePlain(this.plain(inFlow));
  }

  /** Only spaces and a comment may follow the value. */
  end(): void {
    const rest = this.text.slice(this.offset);
    if (rest !== '' && !/^ +(?:#.*)?$/.test(rest)) throw decline;
  }

  private flowSequence(depth: number): JsonValue[] {
    const array: JsonValue[] = [];
    if (this.open(depth, ']')) return array;
    do {
      this.skipSpaces();
      array.push(this.value(true, depth)); // `[a: 1]` (a mapping in a sequence) ends at the `:` and declines below
    } while (!this.afterItem(']'));
    return array;
  }

  private flowMapping(depth: number): JsonObject {
    const object = newJsonObject();
    if (this.open(depth, '}')) return object;
    do {
      this.skipSpaces();
      const end = keyEnd(this.text, this.offset);
      if (end < 0) throw decline;
      const key = keyOf(this.text.slice(this.offset, end));
      if (Object.hasOwn(object, key)) throw decline;
      this.offset = end + 1;
      this.skipSpaces();
      const next = this.text[this.offset];
      if (next === ',' || next === '}' || next === undefined) throw decline; // `{a: }`: null, left to the full path
      object[key] = this.value(true, depth);
    } while (!this.afterItem('}'));
    return object;
  }

  /** Steps over a flow collection's opening bracket; true when it is empty (its closing bracket stepped over too). */
  private open(depth: number, close: string): boolean {
    this.reader.enter(depth);
    this.offset++;
    this.skipSpaces();
    if (this.text[this.offset] !== close) return false;
    this.offset++;
    return true;
  }

  /** After an item: true at the closing bracket (stepped over), false after a comma; a trailing comma or anything else declines. */
  private afterItem(close: string): boolean {
    this.skipSpaces();
    const separator = this.text[this.offset++];
    if (separator === close) return true;
    if (separator !== ',') throw decline; // the line ended, or something this reader does not take
    this.skipSpaces();
    if (this.text[this.offset] === close) throw decline;
    return false;
  }

  private quoted(quote: string): string {
    const close = this.text.indexOf(quote, this.offset + 1);
    if (close < 0) throw decline; // continues on the next line
    const content = this.text.slice(this.offset + 1, close);
    if (quote === '"' ? content.includes('\\') : this.text[close + 1] === "'") throw decline; // escapes, `''`
    this.offset = close + 1;
    return content;
  }

  /** A run of plain characters and inner spaces; whatever follows must end it (a separator, a comment, the line). */
  private plain(inFlow: boolean): string {
    const start = this.offset;
    let end = start;
    while (end < this.text.length) {
      const character = this.text[end]!;
      if (plainCharacter.test(character)) end++;
      else if (
        character === ' ' &&
        end > start &&
        end + 1 < this.text.length &&
        plainCharacter.test(this.text[end + 1]!)
      )
        end++;
      else break;
    }
    if (end === start) throw decline;
    const following = this.text[end];
    if (
      following !== undefined &&
      following !== ' ' &&
      !(inFlow && (following === ',' || following === ']' || following === '}'))
    )
      throw decline;
    this.offset = end;
    return this.text.slice(start, end);
  }

  private skipSpaces(): void {
    while (this.text.charCodeAt(this.offset) === 32) this.offset++;
  }
}

/** What YAML 1.2's core schema makes of a plain scalar, for the forms accepted here; anything doubtful declines. */
function resolvePlain(source: string): JsonValue {
  const first = source.charCodeAt(0);
  // Digits, signs and dots start numbers (0x1F, 0o7, 1e3, .inf, +1, 007, 1_000): only the plainest are taken.
  if ((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46) {
    if (plainInteger.test(source)) return Number(source) || 0; // -0 is 0, as in the full path
    if (plainDecimal.test(source)) return Number(source) || 0;
    throw decline;
  }
  if (first === 64) throw decline; // `@` is reserved
  if (coreTrue.test(source)) return true;
  if (coreFalse.test(source)) return false;
  if (coreNull.test(source)) return null;
  return source;
}

function isSequenceItem(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

/** Where the `:` of a `key:` at `start` is (followed by a space or the end), or -1 if the text does not start so. */
function keyEnd(text: string, start = 0): number {
  const first = text[start];
  let colon: number;
  if (first === '"' || first === "'") {
    const close = text.indexOf(first, start + 1);
    if (close < 0) return -1;
    colon = close + 1;
  } else {
    colon = start;
    while (colon < text.length && text[colon] !== ':' && text[colon] !== ' ') colon++;
  }
  if (text[colon] !== ':' || colon === start) return -1;
  const after = text[colon + 1];
  return after === undefined || after === ' ' ? colon : -1;
}

function keyOf(source: string): string {
  const first = source[0];
  if (first === '"' || first === "'") {
    const content = source.slice(1, -1);
    if (content.includes('\\') || content.includes(first) || content === '__proto__') throw decline;
    return content;
  }
  if (!plainKey.test(source) || specialKey.test(source)) throw decline;
  return source;
}

/** Splits `key: rest` (rest without its comment, '' when the value is on the lines below). */
function splitKey(content: string): { key: string; rest: string } {
  const colon = keyEnd(content);
  if (colon < 0) throw decline;
  const key = keyOf(content.slice(0, colon));
  let start = colon + 1;
  while (content.charCodeAt(start) === 32) start++;
  const rest = content.slice(start);
  return { key, rest: rest.startsWith('#') ? '' : rest }; // `key: # comment`: the value is below
}

function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}
