// The language of a JSON Schema `pattern` as an automaton: inclusion between two patterns, with a witness when one
// admits a string the other does not, and the exact strings of a finite pattern.
import { compileLinearRegExp, readUnicodeEscape } from '../validate/linearRegExp.js';

/**
 * Per question, product pairs explored and subset-construction states built (both patterns together), each at most
 * this many. The changed patterns of the SchemaStore pairs need at most 137 (an identifier with `{1,63}`); past the
 * budget the answer is undefined and the caller says "unknown" rather than spend unbounded time on user input.
 */
export const patternStateBudget = 2_000;

/** NFA states built for one pattern at most (counted repeats are unrolled): a larger pattern is not compared. */
const maxNfaStates = 20_000;

const maxCodePoint = 0x10ffff;

/**
 * A set of code points: sorted, disjoint, non-adjacent inclusive intervals, flattened as [lo0, hi0, lo1, hi1, …].
 */
type CodePoints = readonly number[];

function normalized(pairs: Array<[number, number]>): number[] {
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    if (out.length > 0 && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function pairsOf(set: CodePoints): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < set.length; i += 2) pairs.push([set[i]!, set[i + 1]!]);
  return pairs;
}

function complement(set: CodePoints): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! > next) out.push(next, set[i]! - 1);
    next = set[i + 1]! + 1;
  }
  if (next <= maxCodePoint) out.push(next, maxCodePoint);
  return out;
}

const anyCodePoint: CodePoints = [0, maxCodePoint];
const digits: CodePoints = [0x30, 0x39];
const wordCharacters: CodePoints = normalized([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
/** ECMA-262's WhiteSpace and LineTerminator: what `\s` matches. */
const spaces: CodePoints = normalized(
  [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]
    .map((c): [number, number] => [c, c])
    .concat([[0x2000, 0x200a]]),
);
/** What `.` does not match without the s flag. */
const lineTerminators: CodePoints = normalized([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]);

type RegexNode =
  | { type: 'set'; set: CodePoints }
  | { type: 'sequence'; items: RegexNode[] }
  | { type: 'choice'; items: RegexNode[] }
  | { type: 'repeat'; item: RegexNode; min: number; max: number }
  | { type: 'start' }
  | { type: 'end' };

/** A construct whose language this module does not model; the whole question is then undecided. */
class Unsupported extends Error {}

/**
 * Reads a pattern already accepted by the validation engine (valid ECMA-262 with the u flag, no i/m/s flags).
 * Backreferences, lookarounds, word boundaries and `\p{…}` throw Unsupported.
 */
class PatternParser {
  private i = 0;

  constructor(private readonly pattern: string) {}

  parse(): RegexNode {
    const node = this.disjunction();
    if (this.i !== this.pattern.length) throw new Unsupported('trailing input');
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.pattern[this.i + offset];
  }

  private disjunction(): RegexNode {
    const items = [this.alternative()];
    while (this.peek() === '|') {
      this.i += 1;
      items.push(this.alternative());
    }
    return items.length === 1 ? items[0]! : { type: 'choice', items };
  }

  private alternative(): RegexNode {
    const items: RegexNode[] = [];
    while (this.i < this.pattern.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.term());
    return items.length === 1 ? items[0]! : { type: 'sequence', items };
  }

  private term(): RegexNode {
    const c = this.peek()!;
    if (c === '^' || c === '$') {
      this.i += 1;
      return { type: c === '^' ? 'start' : 'end' };
    }
    const atom = this.atom();
    return this.quantified(atom);
  }

  private quantified(atom: RegexNode): RegexNode {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.pattern.slice(this.i));
      if (match === null) throw new Unsupported('brace');
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
      this.i += match[0].length - 1;
    } else return atom;
    this.i += 1;
    if (this.peek() === '?') this.i += 1; // lazy: the same language
    return { type: 'repeat', item: atom, min, max };
  }

  private atom(): RegexNode {
    const c = this.peek()!;
    if (c === '.') {
      this.i += 1;
      return { type: 'set', set: complement(lineTerminators) };
    }
    if (c === '[') return { type: 'set', set: this.characterClass() };
    if (c === '(') return this.group();
    if (c === '\\') {
      const escaped = this.escape(false);
      return { type: 'set', set: escaped };
    }
    return { type: 'set', set: single(this.literal()) };
  }

  private group(): RegexNode {
    const p = this.pattern;
    if (p.startsWith('(?:', this.i)) this.i += 3;
    else if (p.startsWith('(?<', this.i) && !p.startsWith('(?<=', this.i) && !p.startsWith('(?<!', this.i))
      this.i = p.indexOf('>', this.i) + 1;
    else if (p.startsWith('(?', this.i)) throw new Unsupported('lookaround or modifier group');
    else this.i += 1;
    const inner = this.disjunction();
    if (this.peek() !== ')') throw new Unsupported('unclosed group');
    this.i += 1;
    return inner;
  }

  private literal(): number {
    const codePoint = this.pattern.codePointAt(this.i)!;
    this.i += codePoint > 0xffff ? 2 : 1;
    return codePoint;
  }

  /** An escape at `i` (a backslash): the code points it matches. */
  private escape(inClass: boolean): CodePoints {
    const c = this.peek(1);
    if (c === undefined) throw new Unsupported('trailing backslash');
    this.i += 2;
    switch (c) {
      case 'd':
        return digits;
      case 'D':
        return complement(digits);
      case 'w':
        return wordCharacters;
      case 'W':
        return complement(wordCharacters);
      case 's':
        return spaces;
      case 'S':
        return complement(spaces);
      case 'b':
        if (inClass) return single(8);
        throw new Unsupported('word boundary');
      case 't':
      case 'n':
      case 'v':
      case 'f':
      case 'r':
        return single(9 + 'tnvfr'.indexOf(c));
      case '0':
        return single(0);
      case 'c': {
        const letter = this.peek();
        if (letter === undefined || !/[A-Za-z]/.test(letter)) throw new Unsupported('control escape');
        this.i += 1;
        return single(letter.charCodeAt(0) % 32);
      }
      case 'x': {
        const digitsText = this.pattern.slice(this.i, this.i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(digitsText)) throw new Unsupported('hex escape');
        this.i += 2;
        return single(parseInt(digitsText, 16));
      }
      case 'u':
        return single(this.unicodeEscape());
      default:
        // Identity escapes: a syntax character, `/`, or `-` in a class. Anything else (\1, \k, \p, \B) is not modelled.
        if (/[\^$\\.*+?()[\]{}|/]/.test(c) || (inClass && c === '-')) {
          this.i -= 1;
          return single(this.literal());
        }
        throw new Unsupported(`\\${c}`);
    }
  }

  /** After `\u`: `{…}`, or four hex digits, joined with a following `\uDC00`-`\uDFFF` into one code point. */
  private unicodeEscape(): number {
    const escape = readUnicodeEscape(this.pattern, this.i);
    if (escape === undefined) throw new Unsupported('unicode escape');
    this.i = escape.end;
    return escape.codePoint;
  }

  /** `[…]` at `i`: an atom followed by `-` and not by `]` starts a range (the u flag's grammar, pre-validated). */
  private characterClass(): number[] {
    this.i += 1;
    const negated = this.peek() === '^';
    if (negated) this.i += 1;
    const pairs: Array<[number, number]> = [];
    while (this.peek() !== ']') {
      if (this.i >= this.pattern.length) throw new Unsupported('unclosed class');
      const first = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i += 1;
        const last = this.classAtom();
        if (first.length !== 2 || first[0] !== first[1] || last.length !== 2 || last[0] !== last[1])
          throw new Unsupported('class escape in a range');
        if (first[0]! > last[0]!) throw new Unsupported('range out of order');
        pairs.push([first[0]!, last[0]!]);
      } else pairs.push(...pairsOf(first));
    }
    this.i += 1;
    const set = normalized(pairs);
    return negated ? complement(set) : set;
  }

  private classAtom(): CodePoints {
    return this.peek() === '\\' ? this.escape(true) : single(this.literal());
  }
}

function single(codePoint: number): number[] {
  return [codePoint, codePoint];
}

/** A Thompson NFA with edges for code point sets, empty moves, and the two anchors (taken only at either end). */
class Nfa {
  readonly empty: number[][] = [];
  readonly atStart: number[][] = [];
  readonly atEnd: number[][] = [];
  readonly sets: Array<Array<{ set: CodePoints; to: number }>> = [];

  state(): number {
    if (this.empty.length >= maxNfaStates) throw new Unsupported('too many states');
    this.empty.push([]);
    this.atStart.push([]);
    this.atEnd.push([]);
    this.sets.push([]);
    return this.empty.length - 1;
  }

  /** Adds `node` from `from`; returns the state it ends in. */
  add(node: RegexNode, from: number): number {
    switch (node.type) {
      case 'set': {
        const to = this.state();
        if (node.set.length > 0) this.sets[from]!.push({ set: node.set, to });
        return to;
      }
      case 'start':
      case 'end': {
        const to = this.state();
        (node.type === 'start' ? this.atStart : this.atEnd)[from]!.push(to);
        return to;
      }
      case 'sequence':
        return node.items.reduce((at, item) => this.add(item, at), from);
      case 'choice': {
        const to = this.state();
        for (const item of node.items) {
          const start = this.state();
          this.empty[from]!.push(start);
          this.empty[this.add(item, start)]!.push(to);
        }
        return to;
      }
      case 'repeat': {
        let at = from;
        for (let k = 0; k < node.min; k++) at = this.add(node.item, at);
        if (node.max === Infinity) {
          const loop = this.state();
          this.empty[at]!.push(loop);
          this.empty[this.add(node.item, loop)]!.push(loop);
          return loop;
        }
        const to = this.state();
        for (let k = node.min; k < node.max; k++) {
          this.empty[at]!.push(to);
          at = this.add(node.item, at);
        }
        this.empty[at]!.push(to);
        return to;
      }
    }
  }
}

/** A pattern as a search automaton: any prefix, the expression, any suffix (JSON Schema patterns are not anchored). */
interface PatternAutomaton {
  nfa: Nfa;
  start: number;
  /** Reached once the expression has matched: it loops on every code point, so every extension is admitted too. */
  accept: number;
}

const automata = new Map<string, PatternAutomaton | undefined>();
const maxCachedAutomata = 1_000;

/** The automaton of a pattern, or undefined when the validation engine refuses it or it uses an unmodelled construct. */
function automatonOf(pattern: string): PatternAutomaton | undefined {
  if (automata.has(pattern)) return automata.get(pattern);
  let result: PatternAutomaton | undefined;
  try {
    compileLinearRegExp(pattern); // only what validation runs, in its dialect, is modelled
    const tree = new PatternParser(pattern).parse();
    const nfa = new Nfa();
    const start = nfa.state();
    nfa.sets[start]!.push({ set: anyCodePoint, to: start });
    const expression = nfa.state();
    nfa.empty[start]!.push(expression);
    const end = nfa.add(tree, expression);
    const accept = nfa.state();
    nfa.empty[end]!.push(accept);
    nfa.sets[accept]!.push({ set: anyCodePoint, to: accept });
    result = { nfa, start, accept };
  } catch (cause) {
    // SyntaxError and PatternUnsupportedError from the engine, Unsupported from the parser: not modelled either way.
    if (!(cause instanceof Error)) throw cause;
    result = undefined;
  }
  if (automata.size >= maxCachedAutomata) automata.clear();
  automata.set(pattern, result);
  return result;
}

/**
 * The code point range cut into the intervals no automaton of a question tells apart: every transition is then
 * taken per interval (a class), with one representative code point for witnesses.
 */
class Partition {
  readonly starts: number[];

  constructor(automata: readonly PatternAutomaton[]) {
    const cuts = new Set<number>([0]);
    for (const { nfa } of automata)
      for (const edges of nfa.sets)
        for (const { set } of edges)
          for (let i = 0; i < set.length; i += 2) {
            cuts.add(set[i]!);
            if (set[i + 1]! < maxCodePoint) cuts.add(set[i + 1]! + 1);
          }
    this.starts = [...cuts].sort((x, y) => x - y);
  }

  get size(): number {
    return this.starts.length;
  }

  classOf(codePoint: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= codePoint) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  bounds(index: number): [number, number] {
    return [this.starts[index]!, index + 1 < this.starts.length ? this.starts[index + 1]! - 1 : maxCodePoint];
  }

  /** A readable member: a letter, digit or printable ASCII character when the class has one, never a lone surrogate. */
  representative(index: number): number {
    const [lo, hi] = this.bounds(index);
    for (const [from, to] of [
      [0x61, 0x7a],
      [0x30, 0x39],
      [0x41, 0x5a],
      [0x20, 0x7e],
      [0xa0, 0xd7ff],
      [0xe000, maxCodePoint],
    ] as const) {
      if (lo <= to && hi >= from) return Math.max(lo, from);
    }
    return lo;
  }
}

/** Thrown when a question needs more states than its budget. */
class OverBudget extends Error {}

/**
 * The subset construction of one pattern over a partition, built on demand. State 0 is the start, whose closure may
 * take `^`; a state is accepting when its closure, allowed to take `$` (and `^` at the start), reaches the accept state.
 */
class LazyDfa {
  private readonly ids = new Map<string, number>();
  private readonly members: number[][] = [];
  private readonly transitions: Array<Int32Array | undefined> = [];
  readonly accepting: boolean[] = [];
  /** States that contain the accept state: every string through them is admitted. */
  readonly universal: boolean[] = [];
  /** The empty set: nothing through it is admitted. */
  readonly dead: boolean[] = [];

  constructor(
    private readonly automaton: PatternAutomaton,
    private readonly partition: Partition,
    private readonly budget: { left: number },
  ) {
    this.intern(this.closure([automaton.start], true, false), true);
  }

  get count(): number {
    return this.members.length;
  }

  private closure(from: readonly number[], start: boolean, end: boolean): number[] {
    const { nfa } = this.automaton;
    const seen = new Set<number>(from);
    const stack = [...from];
    while (stack.length > 0) {
      const s = stack.pop()!;
      const next = [...nfa.empty[s]!, ...(start ? nfa.atStart[s]! : []), ...(end ? nfa.atEnd[s]! : [])];
      for (const t of next)
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
    }
    return [...seen].sort((x, y) => x - y);
  }

  private intern(states: number[], isStart: boolean): number {
    const key = (isStart ? '^' : '') + states.join(',');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (--this.budget.left < 0) throw new OverBudget();
    const id = this.members.length;
    this.ids.set(key, id);
    this.members.push(states);
    this.transitions.push(undefined);
    this.accepting.push(this.closure(states, isStart, true).includes(this.automaton.accept));
    this.universal.push(states.includes(this.automaton.accept));
    this.dead.push(states.length === 0);
    return id;
  }

  /** The state after one code point of class `index`. */
  next(state: number, index: number): number {
    let row = this.transitions[state];
    if (row === undefined) row = this.transitions[state] = this.row(state);
    return row[index]!;
  }

  private row(state: number): Int32Array {
    const { nfa } = this.automaton;
    const targets = new Array<Set<number> | undefined>(this.partition.size);
    for (const s of this.members[state]!)
      for (const { set, to } of nfa.sets[s]!)
        for (let i = 0; i < set.length; i += 2) {
          const last = this.partition.classOf(set[i + 1]!);
          for (let k = this.partition.classOf(set[i]!); k <= last; k++) (targets[k] ??= new Set()).add(to);
        }
    const row = new Int32Array(this.partition.size);
    const byTargets = new Map<string, number>();
    for (let k = 0; k < row.length; k++) {
      const moved = [...(targets[k] ?? [])].sort((x, y) => x - y);
      const key = moved.join(',');
      let id = byTargets.get(key);
      if (id === undefined) byTargets.set(key, (id = this.intern(this.closure(moved, false, false), false)));
      row[k] = id;
    }
    return row;
  }
}

/** The answer to "does every string pattern a admits also match pattern b?". */
export type PatternInclusion = { included: true } | { included: false; witness: string };

/**
 * Whether every string `a` matches is matched by `b` (both as JSON Schema runs them: unanchored, ECMA-262 with the
 * u flag). When not, a shortest witness that `a` matches and `b` does not. Undefined when either pattern uses a
 * construct not modelled (backreferences, lookarounds, `\b`, `\p{…}`) or the product needs more than `budget` states.
 */
export function patternInclusion(a: string, b: string, budget = patternStateBudget): PatternInclusion | undefined {
  const both = comparePatterns(a, b, budget, 'a-not-b');
  if (both === undefined) return undefined;
  return both.aNotB === undefined ? { included: true } : { included: false, witness: both.aNotB };
}

/** Both inclusions at once, in one product: a witness each way, or undefined for "none" (the inclusion holds). */
export interface PatternComparison {
  /** A string the old pattern `a` matches and `b` does not. */
  aNotB: string | undefined;
  /** A string `b` matches and `a` does not. */
  bNotA: string | undefined;
}

/** Both inclusions between `a` and `b` (see patternInclusion); undefined when not modelled or over `budget`. */
export function comparePatternLanguages(
  a: string,
  b: string,
  budget = patternStateBudget,
): PatternComparison | undefined {
  // A schema's pattern pair is met again in every branch that reaches it (oneOf, $ref), so answers are kept.
  const key = `${budget}\u0000${a}\u0000${b}`;
  if (comparisons.has(key)) return comparisons.get(key);
  const result = comparePatterns(a, b, budget, 'both');
  if (comparisons.size >= maxCachedAutomata) comparisons.clear();
  comparisons.set(key, result);
  return result;
}

const comparisons = new Map<string, PatternComparison | undefined>();

/**
 * A string both `a` and `b` match (shortest), null when no string does (the two languages are disjoint), undefined
 * when not modelled or over `budget`: what proves two oneOf branches with patterns disjoint.
 */
export function commonMatch(a: string, b: string, budget = patternStateBudget): string | null | undefined {
  const result = comparePatterns(a, b, budget, 'common');
  return result === undefined ? undefined : (result.common ?? null);
}

function comparePatterns(
  a: string,
  b: string,
  budget: number,
  want: 'a-not-b' | 'both' | 'common',
): (PatternComparison & { common?: string }) | undefined {
  const automatonA = automatonOf(a);
  const automatonB = automatonOf(b);
  if (automatonA === undefined || automatonB === undefined) return undefined;
  const partition = new Partition([automatonA, automatonB]);
  const left = { left: budget };
  try {
    const dfaA = new LazyDfa(automatonA, partition, left);
    const dfaB = new LazyDfa(automatonB, partition, left);
    const settled = (dfa: LazyDfa, s: number): boolean => dfa.dead[s]! || dfa.universal[s]!;
    const result: PatternComparison & { common?: string } = { aNotB: undefined, bNotA: undefined };
    // Breadth first, so witnesses are shortest; each pair remembers how it was reached.
    const parents = new Map<number, { from: number; index: number } | null>();
    const key = (x: number, y: number) => x * 0x100000 + y;
    const queue: Array<[number, number]> = [[0, 0]];
    parents.set(key(0, 0), null);
    const witnessTo = (x: number, y: number): string => {
      const codePoints: number[] = [];
      for (let step = parents.get(key(x, y)); step; step = parents.get(step.from))
        codePoints.push(partition.representative(step.index));
      return String.fromCodePoint(...codePoints.reverse());
    };
    for (let head = 0; head < queue.length; head++) {
      const [x, y] = queue[head]!;
      if (result.aNotB === undefined && dfaA.accepting[x]! && !dfaB.accepting[y]!) result.aNotB = witnessTo(x, y);
      if (result.bNotA === undefined && dfaB.accepting[y]! && !dfaA.accepting[x]!) result.bNotA = witnessTo(x, y);
      if (want === 'common' && dfaA.accepting[x]! && dfaB.accepting[y]!) {
        result.common = witnessTo(x, y);
        break;
      }
      if (want === 'a-not-b' && result.aNotB !== undefined) break;
      if (want === 'both' && result.aNotB !== undefined && result.bNotA !== undefined) break;
      // Nothing the question asks about can be found past these pairs.
      if (want === 'a-not-b' && (dfaA.dead[x]! || dfaB.universal[y]!)) continue;
      if (want === 'both' && settled(dfaA, x) && settled(dfaB, y)) continue;
      if (want === 'common' && (dfaA.dead[x]! || dfaB.dead[y]!)) continue;
      for (let index = 0; index < partition.size; index++) {
        const next: [number, number] = [dfaA.next(x, index), dfaB.next(y, index)];
        const k = key(...next);
        if (parents.has(k)) continue;
        if (parents.size >= budget) throw new OverBudget();
        parents.set(k, { from: key(x, y), index });
        queue.push(next);
      }
    }
    return result;
  } catch (cause) {
    if (cause instanceof OverBudget) return undefined;
    throw cause;
  }
}

/**
 * Every string `pattern` matches, when there are at most `limit` of them (sorted); undefined when there are more, the
 * language is infinite, or the pattern is not modelled. An anchored alternation of words (`^(a|b)$`) is finite.
 */
export function finiteLanguage(pattern: string, limit: number, budget = patternStateBudget): string[] | undefined {
  const automaton = automatonOf(pattern);
  if (automaton === undefined) return undefined;
  const partition = new Partition([automaton]);
  try {
    const dfa = new LazyDfa(automaton, partition, { left: budget });
    // Build every reachable state, then keep those from which an accepting one is reachable.
    const edges: Array<Array<[number, number]>> = [];
    for (let s = 0; s < dfa.count; s++) {
      edges.push([]);
      if (dfa.dead[s]!) continue;
      if (dfa.universal[s]!) return undefined; // any suffix is admitted: infinite
      for (let index = 0; index < partition.size; index++) {
        const t = dfa.next(s, index);
        if (!dfa.dead[t]!) edges[s]!.push([index, t]);
      }
    }
    const live = dfa.accepting.slice();
    for (let changed = true; changed;) {
      changed = false;
      for (let s = 0; s < dfa.count; s++) if (!live[s] && edges[s]!.some(([, t]) => live[t])) changed = live[s] = true;
    }
    const strings: string[] = [];
    const path: number[] = [];
    const onPath = new Set<number>();
    const walk = (s: number): boolean => {
      if (onPath.has(s)) return false; // a cycle through live states: infinite
      if (dfa.accepting[s]!) {
        strings.push(String.fromCodePoint(...path));
        if (strings.length > limit) return false;
      }
      onPath.add(s);
      for (const [index, t] of edges[s]!) {
        if (!live[t]) continue;
        const [lo, hi] = partition.bounds(index);
        if (hi - lo + 1 > limit) return false;
        for (let c = lo; c <= hi; c++) {
          path.push(c);
          const ok = walk(t);
          path.pop();
          if (!ok) return false;
        }
      }
      onPath.delete(s);
      return true;
    };
    if (!walk(0)) return undefined;
    return strings.sort();
  } catch (cause) {
    if (cause instanceof OverBudget) return undefined;
    throw cause;
  }
}

/** Whether `pattern` matches `text` by this module's automaton (what the tests hold to the validation engine). */
export function automatonMatches(pattern: string, text: string): boolean | undefined {
  const automaton = automatonOf(pattern);
  if (automaton === undefined) return undefined;
  const partition = new Partition([automaton]);
  try {
    const dfa = new LazyDfa(automaton, partition, { left: Infinity });
    let state = 0;
    for (const char of text) state = dfa.next(state, partition.classOf(char.codePointAt(0)!));
    return dfa.accepting[state]!;
  } catch (cause) {
    if (cause instanceof OverBudget) return undefined;
    throw cause;
  }
}
