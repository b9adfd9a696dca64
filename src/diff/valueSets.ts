// Sets of JSON values that a schema of only type/enum/const/numeric bounds/anyOf admits, with exact subset tests: what
// lets `spec diff` see that two differently written schemas mean the same thing (docs/compatibility.md, "Value sets").
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import type { JsonValue } from '../core/json.js';

/** A kind admitted whole: every string, every object, … (numbers are intervals, booleans a subset of two). */
export type WholeKind = 'null' | 'string' | 'object' | 'array';

/**
 * A run of numbers: real (every number between the bounds) or integer (every integer between them). Bounds may be
 * infinite; an integer interval has integer (or infinite) bounds, both inclusive.
 */
export interface NumberInterval {
  readonly integer: boolean;
  readonly low: number;
  readonly lowInclusive: boolean;
  readonly high: number;
  readonly highInclusive: boolean;
}

export interface ValueSet {
  readonly kinds: ReadonlySet<WholeKind>;
  readonly booleans: ReadonlySet<boolean>;
  /** Strings, objects and arrays admitted one by one (never of a kind admitted whole), by canonical JSON. */
  readonly values: ReadonlyMap<string, JsonValue>;
  /** Non-empty intervals; a single admitted number is a real interval from it to itself. */
  readonly numbers: readonly NumberInterval[];
}

const allWholeKinds: readonly WholeKind[] = ['null', 'string', 'object', 'array'];

export const emptySet: ValueSet = { kinds: new Set(), booleans: new Set(), values: new Map(), numbers: [] };

export const universalSet: ValueSet = {
  kinds: new Set(allWholeKinds),
  booleans: new Set([true, false]),
  values: new Map(),
  numbers: [realInterval(-Infinity, false, Infinity, false)],
};

export function realInterval(low: number, lowInclusive: boolean, high: number, highInclusive: boolean): NumberInterval {
  return {
    integer: false,
    low,
    lowInclusive: lowInclusive && low !== -Infinity,
    high,
    highInclusive: highInclusive && high !== Infinity,
  };
}

/** The integers of a run, with integer bounds; undefined when there are none. */
export function integerInterval(
  low: number,
  lowInclusive: boolean,
  high: number,
  highInclusive: boolean,
): NumberInterval | undefined {
  const first = Number.isFinite(low) ? (lowInclusive ? Math.ceil(low) : Math.floor(low) + 1) : low;
  const last = Number.isFinite(high) ? (highInclusive ? Math.floor(high) : Math.ceil(high) - 1) : high;
  if (first > last || first === Infinity || last === -Infinity) return undefined;
  return {
    integer: true,
    low: first,
    lowInclusive: Number.isFinite(first),
    high: last,
    highInclusive: Number.isFinite(last),
  };
}

function isEmptyInterval(interval: NumberInterval): boolean {
  if (interval.low < interval.high) return false;
  return !(interval.low === interval.high && interval.lowInclusive && interval.highInclusive);
}

/** The set of exactly these values. */
export function setOfValues(list: readonly JsonValue[]): ValueSet {
  const kinds = new Set<WholeKind>();
  const booleans = new Set<boolean>();
  const values = new Map<string, JsonValue>();
  const numbers: NumberInterval[] = [];
  for (const value of list) {
    if (value === null) kinds.add('null');
    else if (typeof value === 'boolean') booleans.add(value);
    else if (typeof value === 'number') numbers.push(realInterval(value, true, value, true));
    else values.set(canonicalJsonTrusted(value), value);
  }
  return { kinds, booleans, values, numbers };
}

/** The set a `type` keyword admits (names already checked). */
export function setOfTypes(names: ReadonlySet<string>): ValueSet {
  const kinds = new Set(allWholeKinds.filter((kind) => names.has(kind)));
  const booleans = new Set<boolean>(names.has('boolean') ? [true, false] : []);
  const numbers = names.has('number')
    ? [realInterval(-Infinity, false, Infinity, false)]
    : names.has('integer')
      ? [integerInterval(-Infinity, false, Infinity, false)!]
      : [];
  return { kinds, booleans, values: new Map(), numbers };
}

/** Every value but numbers outside the bounds: what minimum/maximum (and their exclusive forms) admit. */
export function setOfBounds(low: number, lowInclusive: boolean, high: number, highInclusive: boolean): ValueSet {
  const interval = realInterval(low, lowInclusive, high, highInclusive);
  return { ...universalSet, numbers: isEmptyInterval(interval) ? [] : [interval] };
}

function kindOfValue(value: JsonValue): WholeKind {
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'array' : 'object';
}

function intervalHas(interval: NumberInterval, n: number): boolean {
  if (interval.integer && !Number.isInteger(n)) return false;
  const aboveLow = interval.low < n || (interval.low === n && interval.lowInclusive);
  const belowHigh = n < interval.high || (n === interval.high && interval.highInclusive);
  return aboveLow && belowHigh;
}

export function setHas(set: ValueSet, value: JsonValue): boolean {
  if (value === null) return set.kinds.has('null');
  if (typeof value === 'boolean') return set.booleans.has(value);
  if (typeof value === 'number') return set.numbers.some((interval) => intervalHas(interval, value));
  return set.kinds.has(kindOfValue(value)) || set.values.has(canonicalJsonTrusted(value));
}

function intersectIntervals(a: NumberInterval, b: NumberInterval): NumberInterval | undefined {
  const [low, lowInclusive] =
    a.low > b.low || (a.low === b.low && !a.lowInclusive) ? [a.low, a.lowInclusive] : [b.low, b.lowInclusive];
  const [high, highInclusive] =
    a.high < b.high || (a.high === b.high && !a.highInclusive) ? [a.high, a.highInclusive] : [b.high, b.highInclusive];
  if (a.integer || b.integer) return integerInterval(low, lowInclusive, high, highInclusive);
  const interval = realInterval(low, lowInclusive, high, highInclusive);
  return isEmptyInterval(interval) ? undefined : interval;
}

export function intersect(a: ValueSet, b: ValueSet): ValueSet {
  const kinds = new Set([...a.kinds].filter((kind) => b.kinds.has(kind)));
  const booleans = new Set([...a.booleans].filter((value) => b.booleans.has(value)));
  const values = new Map<string, JsonValue>();
  for (const [key, value] of a.values) if (setHas(b, value)) values.set(key, value);
  for (const [key, value] of b.values) if (setHas(a, value)) values.set(key, value);
  const numbers: NumberInterval[] = [];
  for (const x of a.numbers) {
    for (const y of b.numbers) {
      const both = intersectIntervals(x, y);
      if (both !== undefined) numbers.push(both);
    }
  }
  return { kinds, booleans, values, numbers };
}

export function union(a: ValueSet, b: ValueSet): ValueSet {
  const kinds = new Set([...a.kinds, ...b.kinds]);
  const values = new Map<string, JsonValue>();
  for (const [key, value] of [...a.values, ...b.values]) if (!kinds.has(kindOfValue(value))) values.set(key, value);
  return { kinds, booleans: new Set([...a.booleans, ...b.booleans]), values, numbers: [...a.numbers, ...b.numbers] };
}

export function isEmpty(set: ValueSet): boolean {
  return set.kinds.size === 0 && set.booleans.size === 0 && set.values.size === 0 && set.numbers.length === 0;
}

/** Whether every value of `a` is in `b`. */
export function isSubset(a: ValueSet, b: ValueSet): boolean {
  for (const kind of a.kinds) if (!b.kinds.has(kind)) return false;
  for (const value of a.booleans) if (!b.booleans.has(value)) return false;
  for (const value of a.values.values()) if (!setHas(b, value)) return false;
  return a.numbers.every((interval) => covered(interval, b.numbers));
}

export function sameSet(a: ValueSet, b: ValueSet): boolean {
  return isSubset(a, b) && isSubset(b, a);
}

/** Whether the union of `cover` holds every number of `interval`. */
function covered(interval: NumberInterval, cover: readonly NumberInterval[]): boolean {
  if (interval.low === interval.high) return cover.some((c) => intervalHas(c, interval.low));
  if (interval.integer) {
    // Integers only: what each covering run holds of them, swept from the low end; `reach` is the last one covered.
    const runs = cover
      .map((c) => integerInterval(c.low, c.lowInclusive, c.high, c.highInclusive))
      .filter((c): c is NumberInterval => c !== undefined)
      .sort((x, y) => x.low - y.low);
    let reach = interval.low - 1;
    for (const run of runs) {
      if (run.high <= reach) continue;
      if (run.low > reach + 1) return false;
      reach = run.high;
      if (reach >= interval.high) return true;
    }
    return false;
  }
  // A real run: only real runs (single points included) cover it. `reach` is covered when `reachCovered`.
  const runs = cover
    .filter((c) => !c.integer)
    .sort((x, y) => x.low - y.low || Number(y.lowInclusive) - Number(x.lowInclusive));
  let reach = interval.low;
  let reachCovered = !interval.lowInclusive;
  for (const run of runs) {
    const extends_ = run.high > reach || (run.high === reach && run.highInclusive && !reachCovered);
    if (!extends_) continue;
    const connects = run.low < reach || (run.low === reach && (run.lowInclusive || reachCovered));
    if (!connects) return false;
    reach = run.high;
    reachCovered = run.highInclusive;
    if (reach > interval.high || (reach === interval.high && (reachCovered || !interval.highInclusive))) return true;
  }
  return false;
}
