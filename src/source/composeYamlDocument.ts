// Runs yaml's lexer, parser and composer over the first document of a text. Nesting, size, tags, anchors, aliases
// and directives are checked token by token, before the composer (recursive, memory-hungry) sees anything.
import type { CST, Document, ErrorCode, ParsedNode } from 'yaml';
import { yamlModule } from './yamlModule.js';

/** A problem at a string offset; turned into a Diagnostic (line, column) only when the file has problems. */
export interface YamlFinding {
  code: string;
  message: string;
  offset: number;
  pointer?: string;
  relatedOffset?: number;
}

export interface ComposedYaml {
  /** Absent when a limit stopped parsing before composing. */
  document?: Document.Parsed<ParsedNode, true>;
  findings: YamlFinding[];
}

/**
 * YAML 1.2 core typing whatever the file's directives say; keys kept as the strings they are written as, so `1:` and
 * `"1":` collide; integers as bigint so that unsafe ones can be refused rather than rounded. yaml's own duplicate
 * check (uniqueKeys) compares each key with every earlier one (40,000 keys take 15 s); the walk in parseYamlSpec
 * finds the same duplicates with one hash lookup each.
 */
const composeOptions = {
  schema: 'core',
  version: '1.2',
  merge: false,
  resolveKnownTags: false,
  uniqueKeys: false,
  stringKeys: true,
  strict: true,
  intAsBigInt: true,
  logLevel: 'error',
} as const;

const codeOfYamlError: Partial<Record<ErrorCode, string>> = {
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  NON_STRING_KEY: 'YAML_NON_STRING_KEY',
  BAD_ALIAS: 'YAML_ALIAS',
  ALIAS_PROPS: 'YAML_ALIAS',
  TAG_RESOLVE_FAILED: 'YAML_TAG',
  BAD_COLLECTION_TYPE: 'YAML_TAG',
  BAD_DIRECTIVE: 'YAML_DIRECTIVE',
  MULTIPLE_DOCS: 'YAML_MULTIPLE_DOCUMENTS',
};

/**
 * The parser keeps the path from the document to the token being built on `parser.stack`: the document, one entry
 * per collection, and on top possibly a scalar. Lexer and parser are iterative; only the composer recurses (and on
 * node 20 the second stack overflow in a process aborts it), so counting collections here bounds that recursion.
 */
function collectionsOnStack(stack: CST.Token[]): number {
  const type = stack[stack.length - 1]?.type;
  const topIsCollection = type === 'block-map' || type === 'block-seq' || type === 'flow-collection';
  return stack.length - 1 - (topIsCollection ? 0 : 1);
}

export function composeYamlDocument(text: string, maxDepth: number, maxNodes: number): ComposedYaml {
  const { Composer, Lexer, Parser, CST } = yamlModule();
  const findings: YamlFinding[] = [];
  const tokens: CST.Token[] = [];
  const parser = new Parser();
  let documents = 0;
  let nodes = 0;
  let scalarFollows = false;
  const keep = (token: CST.Token): boolean => {
    if (token.type === 'document' && ++documents > 1) {
      findings.push({
        code: 'YAML_MULTIPLE_DOCUMENTS',
        message: 'a spec file holds exactly one YAML document',
        offset: token.offset,
      });
      return false;
    }
    tokens.push(token);
    return true;
  };

  // Spaces, line breaks and comments cost time and memory too (8 MiB of blank lines takes yaml 15 s and 0.8 GB).
  const maxTokens = tokensPerNode * maxNodes + tokensAnyway;
  let tokenCount = 0;
  let yamlDirectives = 0;
  lexing: for (const lexeme of new Lexer().lex(text)) {
    const offset = parser.offset;
    if (++tokenCount > maxTokens) {
      const message = `more than ${maxTokens} tokens (${tokensPerNode} per allowed node and ${tokensAnyway}; spaces, line breaks and comments count)`;
      findings.push({ code: 'YAML_TOO_MANY_TOKENS', message, offset });
      return { findings };
    }
    // The lexeme after a SCALAR marker is a plain or block scalar's text, whatever characters it starts with.
    if (scalarFollows) scalarFollows = false;
    else if (lexeme === CST.SCALAR) {
      scalarFollows = true;
      nodes++;
    } else {
      nodes += checkLexeme(lexeme, offset, findings);
      // YAML 1.2 allows one %YAML directive per document; a document end (`...`) starts the next one's directives.
      if (lexeme === '...') yamlDirectives = 0;
      else if (lexeme.startsWith('%YAML') && ++yamlDirectives > 1) {
        findings.push({ code: 'YAML_DIRECTIVE', message: 'the %YAML directive may appear only once', offset });
      }
    }
    // Each node of the value has at most one content lexeme and one indicator (`-`, `?`, `:`), so a stream past twice
    // the limit cannot be within it; the exact count is taken on the parsed document below, before composing.
    if (nodes > 2 * maxNodes) {
      findings.push({ code: 'YAML_TOO_MANY_NODES', message: `more than ${maxNodes} values and keys`, offset });
      return { findings };
    }
    for (const token of parser.next(lexeme)) if (!keep(token)) break lexing;
    if (parser.stack.length > maxDepth + 1 && collectionsOnStack(parser.stack) > maxDepth) {
      findings.push({ code: 'YAML_TOO_DEEP', message: `nesting deeper than ${maxDepth} levels`, offset });
      return { findings };
    }
  }
  if (documents < 2) for (const token of parser.end()) if (!keep(token)) break;
  const first = tokens.find((token) => token.type === 'document');
  const beyond = first === undefined ? undefined : firstNodeBeyond(first, maxNodes);
  if (beyond !== undefined) {
    findings.push({ code: 'YAML_TOO_MANY_NODES', message: `more than ${maxNodes} values and keys`, offset: beyond });
    return { findings };
  }

  let document: Document.Parsed<ParsedNode, true> | undefined;
  for (const composed of new Composer<ParsedNode, true>(composeOptions).compose(tokens, true, text.length)) {
    document ??= composed;
  }
  if (document === undefined) return { findings };
  for (const error of document.errors) {
    findings.push({ code: codeOfYamlError[error.code] ?? 'YAML_SYNTAX', message: error.message, offset: error.pos[0] });
  }
  for (const warning of document.warnings) {
    findings.push({
      code: codeOfYamlError[warning.code] ?? 'YAML_WARNING',
      message: warning.message,
      offset: warning.pos[0],
    });
  }
  return { document, findings };
}

/**
 * Tokens allowed per allowed node: a node takes at most six in any style (`  - value` and its line break); the
 * constant leaves small files room for comments whatever the node limit.
 */
export const tokensPerNode = 8;
export const tokensAnyway = 1024;

/**
 * Where the value a document stands for gets its (limit+1)th node, counted as docs/specs.md says: every value (an
 * empty one is null) and every key, whatever the style. The parser's tokens are walked, not composed nodes: composing
 * is what costs memory. Undefined when the value is within the limit.
 */
function firstNodeBeyond(document: CST.Document, limit: number): number | undefined {
  let count = 0;
  let beyond: number | undefined;
  const node = (token: CST.Token | null | undefined, near: number): void => {
    if (beyond !== undefined) return;
    if (++count > limit) {
      beyond = token?.offset ?? near;
      return;
    }
    if (token === null || token === undefined) return;
    if (token.type === 'block-map') {
      for (const item of token.items) {
        if (item.key === undefined && item.sep === undefined && !item.explicitKey) continue; // comments only
        pair(item.key, item.value, item.start[0]?.offset ?? token.offset);
      }
    } else if (token.type === 'block-seq') {
      for (const item of token.items) {
        if (item.value !== undefined || item.start.some((part) => part.type === 'seq-item-ind'))
          node(item.value, item.start[0]?.offset ?? token.offset);
      }
    } else if (token.type === 'flow-collection') {
      const isMapping = token.start.type === 'flow-map-start';
      for (const item of token.items) {
        const near = item.start[item.start.length - 1]?.offset ?? token.offset;
        const isPair = 'key' in item || (item.sep ?? []).some((part) => part.type === 'map-value-ind');
        if (!isPair && item.value === undefined) continue; // a trailing comma
        if (isMapping) pair(item.key, item.value, near);
        else if (isPair) {
          if (++count > limit) beyond ??= near; // `[k: v]`: a one-pair mapping in the sequence
          pair(item.key, item.value, near);
        } else node(item.value, near);
      }
    }
  };
  const pair = (key: CST.Token | null | undefined, value: CST.Token | undefined, near: number): void => {
    node(key, near);
    node(value, key?.offset ?? near);
  };
  node(document.value, document.offset);
  return beyond;
}

/**
 * Returns how many nodes the token may start (an upper bound: an indicator such as `- ` may stand for an empty
 * value). Specs are plain data with one meaning in every YAML tool: a tag only retypes what quoting says visibly, an
 * alias can multiply the data (billion laughs), and directives can switch YAML 1.1 typing on in other tools.
 */
function checkLexeme(lexeme: string, offset: number, findings: YamlFinding[]): number {
  switch (lexeme.charCodeAt(0)) {
    case 0x22: // "
    case 0x27: // '
    case 0x5b: // [
    case 0x7b: // {
      return 1;
    case 0x2d: // -  (also `---`)
    case 0x3f: // ?
    case 0x3a: // :
      return lexeme.length === 1 ? 1 : 0;
    case 0x21: // !
      findings.push({
        code: 'YAML_TAG',
        message: `explicit tags are not allowed in specs (found ${lexeme}); quote the value instead`,
        offset,
      });
      return 0;
    case 0x26: // &
      findings.push({
        code: 'YAML_ALIAS',
        message: `anchors are not allowed in specs (found ${lexeme}); write the value out`,
        offset,
      });
      return 0;
    case 0x2a: // *
      findings.push({
        code: 'YAML_ALIAS',
        message: `aliases are not allowed in specs (found ${lexeme}); write the value out`,
        offset,
      });
      return 1;
    case 0x25: // %
      if (!/^%YAML[\t ]+1\.2$/.test(lexeme)) {
        findings.push({
          code: 'YAML_DIRECTIVE',
          message: `only the directive %YAML 1.2 is allowed (found ${lexeme.trim()})`,
          offset,
        });
      }
      return 0;
    default:
      return 0;
  }
}
