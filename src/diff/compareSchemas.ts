// Decides, keyword by keyword, whether a new JSON Schema accepts a superset or a subset of what the old one accepted.
//
// Soundness rests on one argument: a schema is the conjunction of its keywords, so if every keyword of the new schema
// accepts all the old one accepted, so does the whole. Keywords whose meaning depends on each other (properties +
// additionalProperties, items + additionalItems, if/then/else, unevaluated*) are compared as groups; contexts that
// are not monotone (not, if, oneOf of overlapping branches) are only accepted when provably equivalent. Recursion
// through $ref is coinductive: a pair of schemas already being compared counts as compatible on the way back to it.
import { canonicalJsonTrusted } from '../core/canonicalJson.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import { BudgetExceeded, ComparisonBudget, defaultMaxDepth, defaultMaxRefExpansions } from './comparisonBudget.js';
import { compareLeafKeywords, type EmitChange } from './compareLeafKeywords.js';
import { EquivalenceLedger } from './equivalenceLedger.js';
import { finiteValues, patternsDisjoint, rejectsAll } from './finiteBranchRejection.js';
import { allInstanceKinds, type InstanceKind } from './instanceTypes.js';
import {
  admitsWholeGroup,
  groupsOfKinds,
  kindsOfGroup,
  restrictToGroups,
  typeGroups,
  type TypeGroup,
} from './oneOfKinds.js';
import { commonMatch, patternInclusion } from './regexLanguage.js';
import { jsonEqual } from '../core/jsonEqual.js';
import { PropertyPatternMatcher } from './propertyPatternMatcher.js';
import { childNode, implicitTrue, type SchemaNode } from './schemaDocument.js';
import {
  conditionSetOf,
  moversBetween,
  relateConditions,
  type ConditionRelation,
  type Movers,
} from './conditionSets.js';
import { contentKeywords, isAnnotationKeyword, unevaluatedKeywords } from './schemaKeywords.js';
import { SchemaNormalizer, type Conjunct, type KeywordEntry, type NormalizedSchema } from './schemaNormalizer.js';
import { SchemaRefResolver } from './schemaRefResolver.js';
import { isUndecided, mayBreak, schemaRules, type SchemaEffect, type SchemaRuleId } from './schemaRules.js';
import { SchemaValueSets } from './schemaValueSet.js';
import { isSubset, universalSet, type ValueSet } from './valueSets.js';
import {
  allowedValues,
  keywordChild,
  keywordLocation,
  kindsOf,
  nodeLocation,
  type ChangeLocation,
  type SchemaView,
} from './schemaView.js';
import type { Direction, Severity } from './severity.js';

export type { Direction, Severity } from './severity.js';
export { worstSeverity } from './severity.js';

export interface SchemaChange {
  /** Stable rule id, e.g. 'schema.type-narrowed'; see docs/compatibility.md. */
  rule: string;
  /** JSON pointer into the new schema where the change is (into the old one when the thing was removed). */
  pointer: string;
  /** Set when `pointer` is inside a document reached through resolveRef: the reference it was loaded by. */
  document?: string;
  old?: JsonValue;
  new?: JsonValue;
  /** Severity for the requested direction. */
  severity: Severity;
  message: string;
}

export interface SchemaSide {
  schema: JsonValue;
  /**
   * Resolves a $ref that leaves the document. It receives the reference's document part as written, without the
   * fragment (e.g. "media.metadata@1" for "media.metadata@1#/properties/x") and returns that whole document, or
   * undefined. Fragments, and references inside the document ("#/$defs/x", "#anchor", embedded $id), are resolved here.
   */
  resolveRef?: (ref: string) => JsonValue | undefined;
}

export interface CompareOptions {
  direction: Direction;
  /** Deepest nesting of subschemas compared (default 64). */
  maxDepth?: number;
  /** Most $ref expansions in one comparison, both sides together (default 20,000). */
  maxRefExpansions?: number;
}

/**
 * The changes from `oldSide` to `newSide`, each with its severity for `options.direction`. Never reports
 * 'compatible' for what it could not prove: undecidable cases are 'unknown'. Annotation-only changes are included
 * as 'compatible' ('schema.annotation-changed'); a changed `default` is a 'warning'.
 */
export function compareSchemas(oldSide: SchemaSide, newSide: SchemaSide, options: CompareOptions): SchemaChange[] {
  if (options?.direction !== 'backward' && options?.direction !== 'forward') {
    throw new TypeError("options.direction must be 'backward' or 'forward'");
  }
  const maxDepth = checkLimit(options.maxDepth, defaultMaxDepth, 'maxDepth');
  const maxRefExpansions = checkLimit(options.maxRefExpansions, defaultMaxRefExpansions, 'maxRefExpansions');
  for (const side of [oldSide, newSide]) {
    if (side === null || typeof side !== 'object' || side.schema === undefined)
      throw new TypeError('a side needs a schema');
    if (side.resolveRef !== undefined && typeof side.resolveRef !== 'function')
      throw new TypeError('resolveRef must be a function');
  }
  const comparison = new SchemaComparison(oldSide, newSide, new ComparisonBudget(maxDepth, maxRefExpansions));
  return finish(comparison.run(), options.direction);
}

function checkLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`options.${name} must be a positive integer`);
  return value;
}

interface RawChange {
  rule: SchemaRuleId;
  pointer: string;
  document: string | undefined;
  old?: JsonValue | undefined;
  new?: JsonValue | undefined;
  message: string;
}

/** Severity by direction, duplicates (a definition reached along two paths) dropped, at most one 'too-complex'. */
function finish(changes: RawChange[], direction: Direction): SchemaChange[] {
  const seen = new Set<string>();
  const result: SchemaChange[] = [];
  let tooComplex = false;
  for (const change of changes) {
    if (change.rule === 'schema.too-complex') {
      if (tooComplex) continue;
      tooComplex = true;
    }
    const key = [change.rule, change.document ?? '', change.pointer, canonical(change.old), canonical(change.new)].join(
      '\u0000',
    );
    if (seen.has(key)) continue;
    seen.add(key);
    const out: SchemaChange = {
      rule: change.rule,
      pointer: change.pointer,
      severity: schemaRules[change.rule][direction],
      message: change.message,
    };
    if (change.document !== undefined) out.document = change.document;
    if (change.old !== undefined) out.old = change.old;
    if (change.new !== undefined) out.new = change.new;
    result.push(out);
  }
  return result;
}

function canonical(value: JsonValue | undefined): string {
  return value === undefined ? '' : canonicalJsonTrusted(value);
}

/** Changes found, and the pairs of schemas already entered (in progress or done: both mean "do not enter again"). */
class Session {
  readonly changes: RawChange[] = [];
  private readonly pairs = new Map<object, Set<object>>();

  /**
   * Set while checking what unevaluated* would see: then keywords that mark properties or items as evaluated must
   * also be present on both sides (`"additionalProperties": true` is valid-equivalent to its absence, yet not to
   * unevaluatedProperties).
   */
  constructor(readonly evaluation = false) {}

  enter(oldKey: object, newKey: object): boolean {
    let entered = this.pairs.get(oldKey);
    if (entered === undefined) this.pairs.set(oldKey, (entered = new Set()));
    if (entered.has(newKey)) return false;
    entered.add(newKey);
    return true;
  }
}

/** The memo key of every `true` schema, explicit or implied: all of them are the same schema. */
const trueKey = {};

/** Keywords with a rule of their own; anything else is an annotation or an unknown keyword. */
const ruleKeywords = new Set([
  'type',
  'enum',
  'const',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'format',
  'items',
  'additionalItems',
  'prefixItems',
  'maxItems',
  'minItems',
  'uniqueItems',
  'contains',
  'minContains',
  'maxContains',
  'unevaluatedItems',
  'maxProperties',
  'minProperties',
  'required',
  'properties',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$recursiveRef',
  '$dynamicRef',
]);

const emptyKeywords: ReadonlyMap<string, KeywordEntry> = new Map();

/** Changes to metadata only: they leave both validity and the annotations unevaluated* depend on alone. */
const metadataRules: ReadonlySet<SchemaRuleId> = new Set([
  'schema.annotation-changed',
  'schema.default-changed',
  'schema.content-changed',
  'schema.unknown-keyword-changed',
  'schema.dialect-changed',
]);

class SchemaComparison {
  private readonly oldResolver: SchemaRefResolver;
  private readonly newResolver: SchemaRefResolver;
  private readonly oldNormalizer: SchemaNormalizer;
  private readonly newNormalizer: SchemaNormalizer;
  private readonly patterns = new PropertyPatternMatcher();
  private readonly oldValueSets = new SchemaValueSets((node) => this.oldNormalizer.normalize(node));
  private readonly newValueSets = new SchemaValueSets((node) => this.newNormalizer.normalize(node));
  private readonly mainSession = new Session();
  private session = this.mainSession;
  private readonly equivalence = new EquivalenceLedger<RawChange[]>([]);
  private readonly evaluationEquivalence = new EquivalenceLedger<RawChange[]>([]);
  /** Everything but unevaluated* equivalent, in what it accepts and in what it marks as evaluated. */
  private readonly restEquivalence = new EquivalenceLedger<RawChange[]>([]);

  constructor(
    oldSide: SchemaSide,
    newSide: SchemaSide,
    private readonly budget: ComparisonBudget,
  ) {
    this.oldResolver = new SchemaRefResolver(oldSide.schema, oldSide.resolveRef);
    this.newResolver = new SchemaRefResolver(newSide.schema, newSide.resolveRef);
    this.oldNormalizer = new SchemaNormalizer(this.oldResolver, budget);
    this.newNormalizer = new SchemaNormalizer(this.newResolver, budget);
  }

  run(): RawChange[] {
    const oldRoot = this.oldResolver.document.root;
    const newRoot = this.newResolver.document.root;
    try {
      this.compareDialects(oldRoot, newRoot);
      this.compare(oldRoot, newRoot, 0);
    } catch (error) {
      // A maxDepth set far above the default can exhaust the JavaScript stack first: that is too complex as well.
      const stackExhausted = error instanceof RangeError && /call stack/i.test(error.message);
      if (!(error instanceof BudgetExceeded) && !stackExhausted) throw error;
      const pointer = error instanceof BudgetExceeded ? error.pointer : '';
      this.session = this.mainSession;
      this.session.changes.push({
        rule: 'schema.too-complex',
        pointer,
        document: undefined,
        message: error instanceof Error ? error.message : 'too complex',
      });
    }
    return this.mainSession.changes;
  }

  private readonly emit: EmitChange = (rule, location, message, values) => {
    const change: RawChange = { rule, pointer: location.pointer, document: location.document.name, message };
    if (values?.old !== undefined) change.old = values.old;
    if (values?.new !== undefined) change.new = values.new;
    this.session.changes.push(change);
  };

  private compareDialects(oldRoot: SchemaNode, newRoot: SchemaNode): void {
    const dialect = (node: SchemaNode): string | undefined => {
      const uri = isJsonObject(node.value) ? node.value['$schema'] : undefined;
      return typeof uri === 'string' ? uri.replace(/^https?:\/\//, '').replace(/#$/, '') : undefined;
    };
    if (dialect(oldRoot) === dialect(newRoot)) return;
    const location = isJsonObject(newRoot.value) && '$schema' in newRoot.value ? newRoot : oldRoot;
    this.emit(
      'schema.dialect-changed',
      { pointer: '/$schema', document: location.document },
      'the $schema dialect changed; keywords are compared by their shape',
      {
        old: isJsonObject(oldRoot.value) ? oldRoot.value['$schema'] : undefined,
        new: isJsonObject(newRoot.value) ? newRoot.value['$schema'] : undefined,
      },
    );
  }

  /**
   * Compares two subschemas (covariantly: their changes are changes of the whole). With `restrict`, only on the values
   * of those types (both cut down alike): such a comparison is weaker than the whole one, so it is neither recorded as
   * the pair's nor answered from it.
   */
  private compare(o: SchemaNode, n: SchemaNode, depth: number, restrict?: ReadonlySet<TypeGroup>): void {
    if (depth > this.budget.maxDepth) {
      this.emit('schema.too-complex', nodeLocation(o, n), `nesting deeper than ${this.budget.maxDepth}`);
      return;
    }
    const no = this.oldNormalizer.normalize(o);
    const nn = this.newNormalizer.normalize(n);
    if (no.kind === 'invalid' || nn.kind === 'invalid') {
      if (!(no.kind === nn.kind && jsonEqual(o.value, n.value)))
        this.emit('schema.not-a-schema', nodeLocation(o, n), 'not a schema (neither object nor boolean)');
      return;
    }
    if (nn.kind === 'boolean' && !nn.value) {
      if (!(no.kind === 'boolean' && !no.value))
        this.emit('schema.false-added', nodeLocation(o, n), 'now rejects every value');
      return;
    }
    if (no.kind === 'boolean' && !no.value) {
      this.emit('schema.false-removed', nodeLocation(o, n), 'used to reject every value');
      return;
    }
    if (restrict !== undefined) {
      const viewO = viewOf(no);
      const viewN = viewOf(nn);
      // What unevaluated* sees is not cut down by type: compare such schemas whole.
      const whole =
        this.session.evaluation || unevaluatedKeywords.some((k) => viewO.keywords.has(k) || viewN.keywords.has(k));
      if (!whole) {
        this.compareViews(restrictToGroups(viewO, restrict), restrictToGroups(viewN, restrict), depth);
        return;
      }
    }
    if (!this.session.enter(keyOf(no), keyOf(nn))) return;
    if (!this.session.evaluation && (no.kind === 'object' || nn.kind === 'object')) {
      const before = this.oldValueSets.ofNormalized(no);
      const after = before && this.newValueSets.ofNormalized(nn);
      if (before !== undefined && after !== undefined) {
        this.compareValueSets(viewOf(no), viewOf(nn), before, after, depth);
        return;
      }
    }
    this.compareViews(viewOf(no), viewOf(nn), depth);
  }

  /**
   * Two schemas that are sets of values (type, enum, const, bounds, anyOf): the keyword rules run as usual, and their
   * verdict stands when it agrees with the exact comparison of the sets. When it does not (a rewrite that means the
   * same, or a change the rules call unknown), the sets decide: annotation changes are kept, the rest is replaced by
   * one values-narrowed, values-widened or values-changed change, or by nothing when the sets are equal.
   */
  private compareValueSets(o: SchemaView, n: SchemaView, before: ValueSet, after: ValueSet, depth: number): void {
    const outer = this.session;
    const trial = (this.session = new Session(outer.evaluation));
    try {
      this.compareViews(o, n, depth);
    } finally {
      this.session = outer;
    }
    const widened = isSubset(before, after);
    const narrowed = isSubset(after, before);
    const effects = new Set(trial.changes.map((change) => schemaRules[change.rule].effect));
    const only = (...allowed: SchemaEffect[]): boolean => [...effects].every((effect) => allowed.includes(effect));
    const agrees =
      widened && narrowed
        ? only('none', 'warning')
        : widened
          ? only('none', 'warning', 'widening')
          : narrowed
            ? only('none', 'warning', 'narrowing')
            : effects.has('both') ||
              (effects.has('widening') && effects.has('narrowing') && ![...effects].some(isUndecided));
    if (agrees) {
      outer.changes.push(...trial.changes);
      return;
    }
    outer.changes.push(
      ...trial.changes.filter((change) => ['none', 'warning'].includes(schemaRules[change.rule].effect)),
    );
    if (widened && narrowed) return;
    const location = nodeLocation(o.node, n.node);
    if (widened) this.emit('schema.values-widened', location, 'admits every value it did, and more');
    else if (narrowed) this.emit('schema.values-narrowed', location, 'admits only values it did, and fewer');
    else this.emit('schema.values-changed', location, 'admits values it did not, and rejects values it admitted');
  }

  private compareViews(o: SchemaView, n: SchemaView, depth: number, skipUnevaluated = false): void {
    if (this.session.evaluation && !sameEvaluationShape(o, n)) {
      this.emit(
        'schema.unevaluated-changed',
        nodeLocation(o.node, n.node),
        'keywords that evaluate properties or items changed',
      );
      return;
    }
    if (!skipUnevaluated && unevaluatedKeywords.some((k) => o.keywords.has(k) || n.keywords.has(k))) {
      this.compareWithUnevaluated(o, n, depth);
      return;
    }
    const kinds = new Set([...kindsOf(o), ...kindsOf(n)]);
    compareLeafKeywords(o, n, this.emit);
    if (kinds.has('array')) this.compareArrays(o, n, depth);
    if (kinds.has('object')) {
      this.compareProperties(o, n, depth);
      this.compareSubschema(o, n, 'propertyNames', depth);
      this.compareDependencies(o, n, depth);
    }
    this.compareAnyOf(o, n, depth);
    this.compareOneOf(o, n, depth);
    this.compareNot(o, n, depth);
    this.compareConditional(o, n, depth);
    this.compareConjuncts(o, n, depth);
    this.compareDynamicRefs(o, n);
    // A `true` on one side (typically a property that did not exist) has no annotations to compare with.
    if (typeof o.node.value !== 'boolean' && typeof n.node.value !== 'boolean') this.compareMetadata(o, n);
  }

  /** Compares the subschema at `keyword` (an absent one is `true`), when either side has it. */
  private compareSubschema(o: SchemaView, n: SchemaView, keyword: string, depth: number): void {
    if (!o.keywords.has(keyword) && !n.keywords.has(keyword)) return;
    this.compare(keywordChild(o, keyword), keywordChild(n, keyword), depth + 1);
  }

  /**
   * Whether two subschemas are equivalent (no change that affects validity), checked in a fresh session: the
   * assumptions of the enclosing comparison hold in one direction only, this check needs both. When equivalent, its
   * annotation changes are kept.
   */
  private equivalent(o: SchemaNode, n: SchemaNode, depth: number): boolean {
    const no = this.oldNormalizer.normalize(o);
    const nn = this.newNormalizer.normalize(n);
    const evaluation = this.session.evaluation;
    const attempt = (): RawChange[] | false => this.trial(() => this.compare(o, n, depth), evaluation);
    const result =
      no.kind === 'invalid' || nn.kind === 'invalid'
        ? attempt()
        : (evaluation ? this.evaluationEquivalence : this.equivalence).prove(keyOf(no), keyOf(nn), attempt);
    if (result !== false) this.session.changes.push(...result);
    return result !== false;
  }

  /**
   * Runs `compare` in a fresh session: false when it found a change that affects validity (or, with `annotationsOnly`,
   * any change but metadata: declaring a property changes what unevaluatedProperties sees), else what it found.
   */
  private trial(compare: () => void, annotationsOnly = false): RawChange[] | false {
    const changes = this.trialChanges(compare, annotationsOnly);
    const allowed = (c: RawChange): boolean =>
      annotationsOnly
        ? metadataRules.has(c.rule)
        : schemaRules[c.rule].effect === 'none' || schemaRules[c.rule].effect === 'warning';
    return changes.every(allowed) ? changes : false;
  }

  /** What `compare` finds in a fresh session (the pairs entered by the enclosing comparison are not assumed). */
  private trialChanges(compare: () => void, evaluation = this.session.evaluation): RawChange[] {
    const outer = this.session;
    const trial = (this.session = new Session(evaluation));
    try {
      compare();
    } finally {
      this.session = outer;
    }
    return trial.changes;
  }

  /** unevaluated* see the annotations of everything next to them: compare them only when the rest is equivalent. */
  private compareWithUnevaluated(o: SchemaView, n: SchemaView, depth: number): void {
    const rest = this.restEquivalence.prove(o.identity ?? o.node, n.identity ?? n.node, () =>
      this.trial(() => this.compareViews(o, n, depth, true), true),
    );
    if (rest !== false) {
      this.session.changes.push(...rest);
      for (const keyword of unevaluatedKeywords) this.compareSubschema(o, n, keyword, depth);
      return;
    }
    this.emit(
      'schema.unevaluated-changed',
      keywordLocation(o, n, ...unevaluatedKeywords),
      'schema with unevaluatedProperties/unevaluatedItems changed',
    );
    this.compareViews(o, n, depth, true);
  }

  private isFalse(node: SchemaNode, side: 'old' | 'new'): boolean {
    const normalized = (side === 'old' ? this.oldNormalizer : this.newNormalizer).normalize(node);
    return normalized.kind === 'boolean' && !normalized.value;
  }

  // ---- arrays ----

  private itemModel(view: SchemaView): { prefix: SchemaNode[]; rest: SchemaNode } | 'invalid' {
    const items = view.keywords.get('items')?.value;
    const prefixItems = view.keywords.get('prefixItems')?.value;
    const children = (keyword: string, list: JsonValue[]): SchemaNode[] =>
      list.map((_, i) => keywordChild(view, keyword, i));
    if (prefixItems !== undefined) {
      if (!Array.isArray(prefixItems) || Array.isArray(items)) return 'invalid';
      return { prefix: children('prefixItems', prefixItems), rest: keywordChild(view, 'items') };
    }
    if (Array.isArray(items)) return { prefix: children('items', items), rest: keywordChild(view, 'additionalItems') };
    return { prefix: [], rest: keywordChild(view, 'items') };
  }

  private compareArrays(o: SchemaView, n: SchemaView, depth: number): void {
    const tupleKeywords = ['items', 'prefixItems', 'additionalItems'];
    if (tupleKeywords.some((k) => o.keywords.has(k) || n.keywords.has(k))) {
      const modelO = this.itemModel(o);
      const modelN = this.itemModel(n);
      if (modelO === 'invalid' || modelN === 'invalid') {
        this.emit('schema.not-a-schema', keywordLocation(o, n, ...tupleKeywords), 'malformed items/prefixItems');
      } else {
        // Position by position, then the schema for every position past both tuples.
        const length = Math.max(modelO.prefix.length, modelN.prefix.length);
        for (let i = 0; i < length; i++) {
          this.compare(modelO.prefix[i] ?? modelO.rest, modelN.prefix[i] ?? modelN.rest, depth + 1);
        }
        this.compare(modelO.rest, modelN.rest, depth + 1);
      }
    }
    this.compareContains(o, n, depth);
  }

  private compareContains(o: SchemaView, n: SchemaView, depth: number): void {
    const hasO = o.keywords.has('contains');
    const hasN = n.keywords.has('contains');
    if (!hasO && !hasN) return;
    const location = keywordLocation(o, n, 'contains', 'minContains', 'maxContains');
    const countsEqual = ['minContains', 'maxContains'].every((k) => {
      const a = o.keywords.get(k)?.value;
      const b = n.keywords.get(k)?.value;
      return a === undefined || b === undefined ? a === b : jsonEqual(a, b);
    });
    // maxContains makes `contains` non-monotone (matching more items can break it): only equivalence is safe.
    if (!countsEqual || o.keywords.has('maxContains') || n.keywords.has('maxContains')) {
      const same =
        countsEqual &&
        hasO &&
        hasN &&
        this.equivalent(keywordChild(o, 'contains'), keywordChild(n, 'contains'), depth + 1);
      if (!same) this.emit('schema.contains-changed', location, 'contains/minContains/maxContains changed');
      return;
    }
    if (!hasO) this.emit('schema.contains-added', location, 'the array must now contain a matching item');
    else if (!hasN) this.emit('schema.contains-removed', location, 'the array need no longer contain a matching item');
    else this.compare(keywordChild(o, 'contains'), keywordChild(n, 'contains'), depth + 1);
  }

  // ---- objects ----

  /**
   * For a property name, the schema its value must satisfy on one side, besides any patternProperties both sides
   * share (compared once for all names): the declared one, else the one pattern that takes the name, else `true`
   * when several do, else additionalProperties. 'unknown' when a pattern could not be run.
   */
  private nameSchema(view: SchemaView, name: string): { node: SchemaNode; declared: boolean } | 'unknown' {
    const properties = view.keywords.get('properties')?.value;
    if (isJsonObject(properties) && Object.hasOwn(properties, name))
      return { node: keywordChild(view, 'properties', name), declared: true };
    const patternProperties = view.keywords.get('patternProperties')?.value;
    const matched: string[] = [];
    for (const pattern of isJsonObject(patternProperties) ? Object.keys(patternProperties) : []) {
      const match = this.patterns.matches(pattern, name);
      if (match === undefined) return 'unknown';
      if (match) matched.push(pattern);
    }
    // One matching pattern is what held the name before; with several, their conjunction is at least `true`.
    if (matched.length === 1) return { node: keywordChild(view, 'patternProperties', matched[0]!), declared: false };
    if (matched.length > 1) return { node: implicitTrue(view.node, 'properties', name), declared: false };
    return { node: keywordChild(view, 'additionalProperties'), declared: false };
  }

  private compareProperties(o: SchemaView, n: SchemaView, depth: number): void {
    const group = ['properties', 'patternProperties', 'additionalProperties'];
    if (!group.some((k) => o.keywords.has(k) || n.keywords.has(k))) return;
    const propertiesO = o.keywords.get('properties')?.value ?? {};
    const propertiesN = n.keywords.get('properties')?.value ?? {};
    const patternsO = o.keywords.get('patternProperties')?.value ?? {};
    const patternsN = n.keywords.get('patternProperties')?.value ?? {};
    if (
      !isJsonObject(propertiesO) ||
      !isJsonObject(propertiesN) ||
      !isJsonObject(patternsO) ||
      !isJsonObject(patternsN)
    ) {
      this.emit(
        'schema.not-a-schema',
        keywordLocation(o, n, 'properties', 'patternProperties'),
        'malformed properties/patternProperties',
      );
      return;
    }
    const patternLocation = keywordLocation(o, n, 'patternProperties');
    const keysO = Object.keys(patternsO);
    const keysN = Object.keys(patternsN);
    const keysChanged = keysO.length !== keysN.length || keysO.some((k) => !Object.hasOwn(patternsN, k));
    const names = new Set([...Object.keys(propertiesO), ...Object.keys(propertiesN)]);
    // A declared name is held by its pattern too: one under a pattern only one side has is left unknown.
    const changedKeys = [
      ...keysO.filter((k) => !Object.hasOwn(patternsN, k)),
      ...keysN.filter((k) => !Object.hasOwn(patternsO, k)),
    ];
    const declaredUnderChanged = [...names].some((name) =>
      changedKeys.some((pattern) => this.patterns.matches(pattern, name) !== false),
    );
    const regions = !keysChanged
      ? keysO.map((k): [string, string] => [k, k])
      : declaredUnderChanged
        ? undefined
        : patternRegions(keysO, keysN);
    if (regions === undefined) {
      this.emit('schema.pattern-properties-changed', patternLocation, 'patternProperties patterns changed', {
        old: keysO,
        new: keysN,
      });
      for (const pattern of keysO)
        if (Object.hasOwn(patternsN, pattern))
          this.compare(
            keywordChild(o, 'patternProperties', pattern),
            keywordChild(n, 'patternProperties', pattern),
            depth + 1,
          );
    } else {
      // Each region of names under one pattern (or additionalProperties) per side, compared as a pair.
      for (const [patternO, patternN] of regions)
        this.compare(
          patternO === undefined
            ? keywordChild(o, 'additionalProperties')
            : keywordChild(o, 'patternProperties', patternO),
          patternN === undefined
            ? keywordChild(n, 'additionalProperties')
            : keywordChild(n, 'patternProperties', patternN),
          depth + 1,
        );
    }
    for (const name of names) {
      const schemaO = this.nameSchema(o, name);
      const schemaN = this.nameSchema(n, name);
      if (schemaO === 'unknown' || schemaN === 'unknown') {
        this.emit(
          'schema.pattern-properties-changed',
          patternLocation,
          `cannot tell which patternProperties apply to "${name}"`,
        );
        continue;
      }
      this.compareProperty(name, schemaO, schemaN, depth);
    }
    const additionalO = keywordChild(o, 'additionalProperties');
    const additionalN = keywordChild(n, 'additionalProperties');
    const closedO = this.isFalse(additionalO, 'old');
    const closedN = this.isFalse(additionalN, 'new');
    const location = keywordLocation(o, n, 'additionalProperties');
    if (closedN && !closedO)
      this.emit('schema.additional-properties-closed', location, 'undeclared properties are no longer accepted');
    else if (closedO && !closedN)
      this.emit('schema.additional-properties-opened', location, 'undeclared properties are now accepted');
    else if (!closedO) this.compare(additionalO, additionalN, depth + 1);
  }

  private compareProperty(
    name: string,
    o: { node: SchemaNode; declared: boolean },
    n: { node: SchemaNode; declared: boolean },
    depth: number,
  ): void {
    const rejectedO = this.isFalse(o.node, 'old');
    const rejectedN = this.isFalse(n.node, 'new');
    if (rejectedO && rejectedN) return;
    if (rejectedN) {
      this.emit(
        'schema.property-removed',
        n.declared ? n.node : nodeLocation(n.node, o.node),
        `property "${name}" is no longer accepted`,
      );
      return;
    }
    if (rejectedO) {
      this.emit('schema.property-added', nodeLocation(o.node, n.node), `property "${name}" is now accepted`);
      return;
    }
    if (n.declared && !o.declared)
      this.emit(
        'schema.property-added-open',
        n.node,
        `property "${name}" declared; the old schema already accepted it`,
      );
    if (o.declared && !n.declared)
      this.emit(
        'schema.property-removed-open',
        o.node,
        `property "${name}" no longer declared; the new schema still accepts it`,
      );
    this.compare(o.node, n.node, depth + 1);
  }

  private dependencyEntries(
    view: SchemaView,
  ): Map<string, { names?: string[]; namesAt?: ChangeLocation; schema?: SchemaNode }> | 'invalid' {
    const entries = new Map<string, { names?: string[]; namesAt?: ChangeLocation; schema?: SchemaNode }>();
    for (const keyword of ['dependencies', 'dependentRequired', 'dependentSchemas']) {
      const entry = view.keywords.get(keyword);
      if (entry === undefined) continue;
      if (!isJsonObject(entry.value)) return 'invalid';
      for (const [name, value] of Object.entries(entry.value)) {
        const item = entries.get(name) ?? {};
        entries.set(name, item);
        if (Array.isArray(value) && keyword !== 'dependentSchemas') {
          if (!value.every((x) => typeof x === 'string')) return 'invalid';
          item.names = [...(item.names ?? []), ...value];
          item.namesAt = childNode(entry.owner, keyword, name)!;
        } else if (keyword !== 'dependentRequired' && item.schema === undefined) {
          item.schema = childNode(entry.owner, keyword, name)!;
        } else {
          return 'invalid';
        }
      }
    }
    return entries;
  }

  private compareDependencies(o: SchemaView, n: SchemaView, depth: number): void {
    const entriesO = this.dependencyEntries(o);
    const entriesN = this.dependencyEntries(n);
    if (entriesO === 'invalid' || entriesN === 'invalid') {
      this.emit(
        'schema.not-a-schema',
        keywordLocation(o, n, 'dependencies', 'dependentRequired', 'dependentSchemas'),
        'malformed dependencies',
      );
      return;
    }
    for (const name of new Set([...entriesO.keys(), ...entriesN.keys()])) {
      const a = entriesO.get(name);
      const b = entriesN.get(name);
      const namesO = new Set(a?.names ?? []);
      const namesN = new Set(b?.names ?? []);
      for (const required of namesN) {
        if (!namesO.has(required))
          this.emit(
            'schema.dependent-required-added',
            b!.namesAt!,
            `"${required}" now required when "${name}" is present`,
            { new: required },
          );
      }
      for (const required of namesO) {
        if (!namesN.has(required))
          this.emit(
            'schema.dependent-required-removed',
            a!.namesAt!,
            `"${required}" no longer required when "${name}" is present`,
            { old: required },
          );
      }
      if (a?.schema !== undefined && b?.schema !== undefined) this.compare(a.schema, b.schema, depth + 1);
      else if (b?.schema !== undefined)
        this.emit('schema.dependent-schema-added', b.schema, `schema applies when "${name}" is present`);
      else if (a?.schema !== undefined)
        this.emit('schema.dependent-schema-removed', a.schema, `schema no longer applies when "${name}" is present`);
    }
  }

  // ---- combinators ----

  private branches(view: SchemaView, keyword: string): SchemaNode[] | undefined | 'invalid' {
    const value = view.keywords.get(keyword)?.value;
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return 'invalid';
    return value.map((_, i) => keywordChild(view, keyword, i));
  }

  /** Presence checks shared by the combinators: true when both sides have the keyword and the caller should go on. */
  private bothPresent(o: SchemaView, n: SchemaView, keyword: string): boolean {
    const hasO = o.keywords.has(keyword);
    const hasN = n.keywords.has(keyword);
    if (hasO && hasN) return true;
    const location = keywordLocation(o, n, keyword);
    if (hasN) this.emit('schema.combinator-added', location, `${keyword} added`);
    else if (hasO) this.emit('schema.combinator-removed', location, `${keyword} removed`);
    return false;
  }

  /** anyOf: every old branch must be within some new branch (backward) and vice versa (forward). */
  private compareAnyOf(o: SchemaView, n: SchemaView, depth: number): void {
    if (!this.bothPresent(o, n, 'anyOf')) return;
    this.compareBranchLists(o, n, 'anyOf', 'schema.any-of-branch-added', 'schema.any-of-branch-removed', depth);
  }

  private compareBranchLists(
    o: SchemaView,
    n: SchemaView,
    keyword: string,
    added: SchemaRuleId,
    removed: SchemaRuleId,
    depth: number,
    restrict?: { groups: ReadonlySet<TypeGroup>; old: readonly number[]; new: readonly number[] },
  ): void {
    let branchesO = this.branches(o, keyword);
    let branchesN = this.branches(n, keyword);
    if (branchesO === 'invalid' || branchesN === 'invalid' || branchesO === undefined || branchesN === undefined) {
      this.emit('schema.not-a-schema', keywordLocation(o, n, keyword), `malformed ${keyword}`);
      return;
    }
    if (restrict !== undefined) {
      branchesO = restrict.old.map((i) => (branchesO as SchemaNode[])[i]!);
      branchesN = restrict.new.map((i) => (branchesN as SchemaNode[])[i]!);
    }
    const { pairs, onlyOld, onlyNew } = pairUp(branchesO, branchesN, (node) => canonicalJsonTrusted(node.value));
    for (const [a, b] of pairs) this.compareBranch(o, n, a, b, depth, restrict?.groups);
    for (const node of onlyOld) this.emit(removed, node, `${keyword} branch removed`);
    for (const node of onlyNew) this.emit(added, node, `${keyword} branch added`);
  }

  /**
   * oneOf, type by type (oneOfKinds.ts): for the values of a type, it rejects them all when no branch or at least two
   * branches admit each of them, it is the anyOf of the branches that admit the type when those are pairwise disjoint
   * on it, and otherwise at most that anyOf. When every type is of the first two sorts on both sides, the branches are
   * compared like anyOf (as before). Otherwise, on the types the parents admit: a type one side rejects and the other
   * does not is a narrowing or widening, and the types neither rejects are compared as anyOf, cut down to those types.
   * That comparison speaks for the side whose oneOf may hold less than its anyOf only in one direction: old ⊆ anyOf(old)
   * ⊆ anyOf(new) = new proves backward when the new side is exact, and forward alike; the other direction is unknown.
   */
  private compareOneOf(o: SchemaView, n: SchemaView, depth: number): void {
    if (!this.bothPresent(o, n, 'oneOf')) return;
    const branchesO = this.branches(o, 'oneOf');
    const branchesN = this.branches(n, 'oneOf');
    const meaningO = Array.isArray(branchesO) ? this.oneOfMeaning(branchesO, 'old') : undefined;
    const meaningN = Array.isArray(branchesN) ? this.oneOfMeaning(branchesN, 'new') : undefined;
    const plain = (meaning: OneOfMeaning): boolean =>
      typeGroups.every((group) => ['empty', 'exact'].includes(meaning.byGroup.get(group)!));
    if (meaningO !== undefined && meaningN !== undefined && plain(meaningO) && plain(meaningN)) {
      this.compareBranchLists(o, n, 'oneOf', 'schema.one-of-branch-added', 'schema.one-of-branch-removed', depth);
      return;
    }
    const same =
      Array.isArray(branchesO) &&
      Array.isArray(branchesN) &&
      branchesO.length === branchesN.length &&
      branchesO.every((a, i) => this.equivalent(a, branchesN[i]!, depth + 1));
    if (same) return;
    const location = keywordLocation(o, n, 'oneOf');
    if (meaningO === undefined || meaningN === undefined) {
      this.emit('schema.one-of-changed', location, 'oneOf changed and its branches may overlap');
      return;
    }
    const relevant = groupsOfKinds(new Set([...kindsOf(o), ...kindsOf(n)]));
    const rejects = (meaning: OneOfMeaning, group: TypeGroup): boolean =>
      ['empty', 'rejected'].includes(meaning.byGroup.get(group)!);
    const compared = new Set([...relevant].filter((g) => !rejects(meaningO, g) && !rejects(meaningN, g)));
    const overlapO = [...compared].some((g) => meaningO.byGroup.get(g) === 'overlap');
    const overlapN = [...compared].some((g) => meaningN.byGroup.get(g) === 'overlap');
    if (overlapO && overlapN) {
      this.emit('schema.one-of-changed', location, 'oneOf changed and its branches may overlap on both sides');
      return;
    }
    const narrowed = [...relevant].filter((g) => !rejects(meaningO, g) && rejects(meaningN, g));
    const widened = [...relevant].filter((g) => rejects(meaningO, g) && !rejects(meaningN, g));
    if (narrowed.length > 0)
      this.emit('schema.one-of-type-narrowed', location, `oneOf no longer admits any ${narrowed.join(', ')}`);
    if (widened.length > 0)
      this.emit('schema.one-of-type-widened', location, `oneOf now admits ${widened.join(', ')}, which it rejected`);
    if (compared.size === 0) return;
    const admitting = (meaning: OneOfMeaning): number[] =>
      meaning.profiles.flatMap((profile, i) => ([...compared].some((g) => admitsGroup(profile, g)) ? [i] : []));
    this.compareBranchLists(o, n, 'oneOf', 'schema.one-of-branch-added', 'schema.one-of-branch-removed', depth, {
      groups: compared,
      old: admitting(meaningO),
      new: admitting(meaningN),
    });
    const names = [...compared].join(', ');
    if (overlapO)
      this.emit(
        'schema.one-of-old-overlap',
        location,
        `the old oneOf's branches may overlap on ${names}: they were compared as anyOf, which proves backward only`,
      );
    if (overlapN)
      this.emit(
        'schema.one-of-new-overlap',
        location,
        `the new oneOf's branches may overlap on ${names}: they were compared as anyOf, which proves forward only`,
      );
  }

  /** What a oneOf is on each type (see compareOneOf); undefined when a branch is not a schema. */
  private oneOfMeaning(branches: SchemaNode[], side: 'old' | 'new'): OneOfMeaning | undefined {
    const profiles: BranchProfile[] = [];
    for (const branch of branches) {
      const profile = this.profile(branch, side);
      if (profile === undefined) return undefined;
      profiles.push(profile);
    }
    const byGroup = new Map<TypeGroup, GroupMeaning>();
    for (const group of typeGroups) {
      const admitting = profiles.filter((profile) => admitsGroup(profile, group));
      let meaning: GroupMeaning;
      if (admitting.length === 0) meaning = 'empty';
      else if (admitting.filter((profile) => this.admitsWhole(profile.view, group, side, 0)).length >= 2)
        meaning = 'rejected';
      else {
        meaning = 'exact';
        for (let i = 0; i < admitting.length && meaning === 'exact'; i++)
          for (let j = i + 1; j < admitting.length; j++)
            if (!this.disjointOn(admitting[i]!, admitting[j]!, group, side, 0)) {
              meaning = 'overlap';
              break;
            }
      }
      byGroup.set(group, meaning);
    }
    return { profiles, byGroup };
  }

  /** Whether a schema surely admits every value of `group` (admitsWholeGroup, looking into anyOf branches). */
  private admitsWhole(view: SchemaView, group: TypeGroup, side: 'old' | 'new', depth: number): boolean {
    return admitsWholeGroup(view, group, (parent) => {
      if (depth >= maxDisjointDepth) return false;
      const branches = this.branches(parent, 'anyOf');
      const normalizer = side === 'old' ? this.oldNormalizer : this.newNormalizer;
      return (
        Array.isArray(branches) &&
        branches.some((branch) => {
          const normalized = normalizer.normalize(branch);
          return normalized.kind !== 'invalid' && this.admitsWhole(viewOf(normalized), group, side, depth + 1);
        })
      );
    });
  }

  /**
   * What decides whether a branch can share values with another. Its kinds are those its `type`/`enum`/`const` admit,
   * cut down to those some branch of its own anyOf/oneOf admits and those each unmerged conjunct admits (a value that
   * matches the schema matches those), looked into `maxDisjointDepth` deep.
   */
  private profile(node: SchemaNode, side: 'old' | 'new', depth = 0): BranchProfile | undefined {
    const normalized = (side === 'old' ? this.oldNormalizer : this.newNormalizer).normalize(node);
    if (normalized.kind === 'invalid') return undefined;
    const view = viewOf(normalized);
    if (normalized.kind === 'boolean')
      return { view, kinds: new Set(normalized.value ? allInstanceKinds : []), finite: undefined, required: [] };
    const valueSet = (side === 'old' ? this.oldValueSets : this.newValueSets).ofNormalized(normalized);
    const required = view.keywords.get('required')?.value;
    const kinds = kindsOf(view);
    if (depth < maxDisjointDepth) {
      const keep = (admitted: ReadonlySet<InstanceKind>): void => {
        for (const kind of kinds) if (!admitted.has(kind)) kinds.delete(kind);
      };
      for (const keyword of ['anyOf', 'oneOf']) {
        const branches = this.branches(view, keyword);
        if (!Array.isArray(branches)) continue;
        const profiles = branches.map((branch) => this.profile(branch, side, depth + 1));
        if (profiles.every((profile) => profile !== undefined))
          keep(new Set(profiles.flatMap((profile) => [...(profile?.kinds ?? [])])));
      }
      for (const conjunct of view.conjuncts) {
        if (conjunct.kind !== 'schema') continue;
        const profile = this.profile(conjunct.node, side, depth + 1);
        if (profile !== undefined) keep(profile.kinds);
      }
    }
    return {
      view,
      kinds,
      finite: valueSet === undefined ? undefined : finiteValues(valueSet),
      required: (Array.isArray(required) ? required : []).filter((name) => typeof name === 'string'),
    };
  }

  /**
   * Whether no value of `group` matches both: one admits only a few values and the other rejects each of them; two
   * patterns no string matches at once; or, for objects, a property both require whose schemas are disjoint (the
   * same test, nested at most `maxDisjointDepth` deep: `const`/`enum` discriminators are the usual case), or a
   * property one requires that the other does not allow at all (`additionalProperties: false` without it, or `false`).
   */
  private disjointOn(
    a: BranchProfile,
    b: BranchProfile,
    group: TypeGroup,
    side: 'old' | 'new',
    depth: number,
  ): boolean {
    if (!kindsOfGroup(group).some((kind) => a.kinds.has(kind) && b.kinds.has(kind))) return true;
    if (a.finite !== undefined && rejectsAll(b.view, a.finite, this.patterns)) return true;
    if (b.finite !== undefined && rejectsAll(a.view, b.finite, this.patterns)) return true;
    const valuesA = allowedValues(a.view);
    const valuesB = allowedValues(b.view);
    if (Array.isArray(valuesA) && Array.isArray(valuesB) && !valuesA.some((x) => valuesB.some((y) => jsonEqual(x, y))))
      return true;
    if (group === 'string') return patternsDisjoint(a.view, b.view);
    if (group !== 'object') return false;
    const forbids = (x: BranchProfile, y: BranchProfile): boolean =>
      x.required.some((name) => {
        const schema = this.nameSchema(y.view, name);
        return schema !== 'unknown' && this.isFalse(schema.node, side);
      });
    if (forbids(a, b) || forbids(b, a)) return true;
    if (depth >= maxDisjointDepth) return false;
    return a.required.some((name) => {
      if (!b.required.includes(name)) return false;
      const x = this.profile(keywordChild(a.view, 'properties', name), side, depth + 1);
      const y = this.profile(keywordChild(b.view, 'properties', name), side, depth + 1);
      return x !== undefined && y !== undefined && typeGroups.every((g) => this.disjointOn(x, y, g, side, depth + 1));
    });
  }

  private compareNot(o: SchemaView, n: SchemaView, depth: number): void {
    if (!this.bothPresent(o, n, 'not')) return;
    if (!this.equivalent(keywordChild(o, 'not'), keywordChild(n, 'not'), depth + 1)) {
      this.emit('schema.not-changed', keywordLocation(o, n, 'not'), 'the negated schema changed');
    }
  }

  /**
   * if/then/else is monotone in then and else once `if` is fixed. A changed `if` is compared as a set of instances
   * (conditionSets.ts): when it widened, the instances that meet only the new one were judged by the old `else` and are
   * judged by the new `then`, so those two are compared as well (old `then` and new `else` when it narrowed); the
   * instances that stay are judged by then and then, else and else. Any other changed `if` cannot be judged.
   */
  private compareConditional(o: SchemaView, n: SchemaView, depth: number): void {
    if (!this.bothPresent(o, n, 'if')) return;
    const ifO = keywordChild(o, 'if');
    const ifN = keywordChild(n, 'if');
    if (!this.equivalent(ifO, ifN, depth + 1)) {
      // What the condition marks as evaluated matters to unevaluated*; the sets say nothing about it.
      const relation = this.session.evaluation ? undefined : this.relateConditions(ifO, ifN);
      if (relation === undefined || relation.relation === 'unknown') {
        this.emit('schema.if-changed', keywordLocation(o, n, 'if'), 'the if condition changed');
        return;
      }
      if ('movers' in relation) this.compareMovers(o, n, relation.relation, relation.movers, depth);
    }
    for (const keyword of ['then', 'else'])
      if (o.keywords.has(keyword) || n.keywords.has(keyword))
        this.compareBranch(o, n, keywordChild(o, keyword), keywordChild(n, keyword), depth);
  }

  /**
   * Compares a branch (then, else, an anyOf or disjoint oneOf branch) that every instance it judges must satisfy
   * together with its parent's other keywords. A constraint the branch adds on a property is moot for backward when
   * the old parent already imposed it: the parent forbids the property (additionalProperties: false without it, or
   * its schema is false), its schema admits only values the branch's does (value sets), or the parent requires what
   * the branch now requires; the same with the new parent for a constraint the branch dropped (forward). Such
   * changes are not reported. The branch is compared apart only when some property could be moot, so that a pair of
   * schemas it enters is not taken as compared for another path where nothing is moot.
   */
  private compareBranch(
    o: SchemaView,
    n: SchemaView,
    branchO: SchemaNode,
    branchN: SchemaNode,
    depth: number,
    restrict?: ReadonlySet<TypeGroup>,
  ): void {
    // What unevaluated* sees depends on every keyword of a branch, imposed by its parent or not.
    const moot = this.session.evaluation ? [] : this.mootProperties(o, n, branchO, branchN);
    if (moot.length === 0) {
      this.compare(branchO, branchN, depth + 1, restrict);
      return;
    }
    const found = this.trialChanges(() => this.compare(branchO, branchN, depth + 1, restrict));
    const within = (change: RawChange, prefix: { pointer: string; document: string | undefined }): boolean =>
      change.document === prefix.document &&
      (change.pointer === prefix.pointer || change.pointer.startsWith(`${prefix.pointer}/`));
    const required = new Set(
      [branchO, branchN].flatMap((branch, i) => {
        const normalized = (i === 0 ? this.oldNormalizer : this.newNormalizer).normalize(branch);
        const entry = normalized.kind === 'object' ? normalized.keywords.get('required') : undefined;
        return entry === undefined ? [] : [`${entry.owner.document.name ?? ''}\u0000${entry.pointer}`];
      }),
    );
    this.session.changes.push(
      ...found.filter((change) => {
        const effect = schemaRules[change.rule].effect;
        if (effect === 'none' || effect === 'warning') return true;
        const covers = (property: MootProperty, kind: 'values' | 'required'): boolean =>
          (mayBreak(effect, 'backward') ? property[kind].backward : true) &&
          (mayBreak(effect, 'forward') ? property[kind].forward : true);
        const isRequired =
          (change.rule === 'schema.required-added' || change.rule === 'schema.required-removed') &&
          required.has(`${change.document ?? ''}\u0000${change.pointer}`);
        const name = change.rule === 'schema.required-added' ? change.new : change.old;
        return !moot.some((property) =>
          isRequired
            ? property.name === name && covers(property, 'required')
            : property.at.some((prefix) => within(change, prefix)) && covers(property, 'values'),
        );
      }),
    );
  }

  /** The properties a branch declares or requires whose constraints its parents may already impose (see compareBranch). */
  private mootProperties(o: SchemaView, n: SchemaView, branchO: SchemaNode, branchN: SchemaNode): MootProperty[] {
    const viewO = this.oldNormalizer.normalize(branchO);
    const viewN = this.newNormalizer.normalize(branchN);
    if (viewO.kind === 'invalid' || viewN.kind === 'invalid') return [];
    const branchViewO = viewOf(viewO);
    const branchViewN = viewOf(viewN);
    const names = new Set<string>();
    for (const view of [branchViewO, branchViewN]) {
      const properties = view.keywords.get('properties')?.value;
      if (isJsonObject(properties)) for (const name of Object.keys(properties)) names.add(name);
      const required = view.keywords.get('required')?.value;
      if (Array.isArray(required)) for (const name of required) if (typeof name === 'string') names.add(name);
    }
    if (names.size === 0) return [];
    const parentRequires = (view: SchemaView, name: string): boolean => {
      const required = view.keywords.get('required')?.value;
      return Array.isArray(required) && required.includes(name);
    };
    // The parent's constraint on the property implies the branch's: it forbids it, or admits only what the branch does.
    const implied = (parent: SchemaView, branch: SchemaView, name: string, side: 'old' | 'new'): boolean => {
      const schema = this.nameSchema(parent, name);
      if (schema === 'unknown') return false;
      if (this.isFalse(schema.node, side)) return true;
      const properties = branch.keywords.get('properties')?.value;
      if (!isJsonObject(properties) || !Object.hasOwn(properties, name)) return false;
      const sets = side === 'old' ? this.oldValueSets : this.newValueSets;
      const branchValues = sets.of(keywordChild(branch, 'properties', name));
      // A branch that admits any value (`"name": true`, common in closed branches) gives no change to drop.
      if (branchValues === undefined || isSubset(universalSet, branchValues)) return false;
      const parentValues = sets.of(schema.node);
      return parentValues !== undefined && isSubset(parentValues, branchValues);
    };
    const result: MootProperty[] = [];
    for (const name of names) {
      const property: MootProperty = {
        name,
        at: [branchViewO, branchViewN].map((view) => {
          const node = keywordChild(view, 'properties', name);
          return { pointer: node.pointer, document: node.document.name };
        }),
        values: { backward: implied(o, branchViewN, name, 'old'), forward: implied(n, branchViewO, name, 'new') },
        required: { backward: parentRequires(o, name), forward: parentRequires(n, name) },
      };
      if (
        property.values.backward ||
        property.values.forward ||
        property.required.backward ||
        property.required.forward
      )
        result.push(property);
    }
    return result;
  }

  private relateConditions(
    ifO: SchemaNode,
    ifN: SchemaNode,
  ): { relation: 'widened' | 'narrowed'; movers: Movers } | { relation: 'equal' | 'unknown' } | undefined {
    const before = conditionSetOf(ifO, {
      normalize: (node) => this.oldNormalizer.normalize(node),
      valueSet: (node) => this.oldValueSets.of(node),
    });
    const after =
      before &&
      conditionSetOf(ifN, {
        normalize: (node) => this.newNormalizer.normalize(node),
        valueSet: (node) => this.newValueSets.of(node),
      });
    if (before === undefined || after === undefined) return undefined;
    const relation: ConditionRelation = relateConditions(before, after);
    if (relation === 'widened') return { relation, movers: moversBetween(before, after) };
    if (relation === 'narrowed') return { relation, movers: moversBetween(after, before) };
    return { relation };
  }

  /**
   * The instances that change branch: judged by the old else and the new then when the condition widened, by the old
   * then and the new else when it narrowed. Their comparison runs apart, so that `required` of a property every one of
   * them has (the condition's own property, often restated in then) is not reported; the rest is reported as usual.
   */
  private compareMovers(
    o: SchemaView,
    n: SchemaView,
    relation: 'widened' | 'narrowed',
    movers: Movers,
    depth: number,
  ): void {
    const [from, to] = relation === 'widened' ? ['else', 'then'] : ['then', 'else'];
    const branchO = keywordChild(o, from);
    const branchN = keywordChild(n, to);
    const found = this.trialChanges(() => this.compare(branchO, branchN, depth + 1));
    // Where the two branches' own `required` keywords are (not those of nested objects), to drop what is moot there.
    const ownRequired = new Set<string>();
    for (const [branch, normalizer] of [
      [branchO, this.oldNormalizer],
      [branchN, this.newNormalizer],
    ] as const) {
      const normalized = normalizer.normalize(branch);
      const entry = normalized.kind === 'object' ? normalized.keywords.get('required') : undefined;
      if (entry !== undefined) ownRequired.add(`${entry.owner.document.name ?? ''}\u0000${entry.pointer}`);
    }
    const relevant = found.filter((change) => {
      const name = change.rule === 'schema.required-added' ? change.new : change.old;
      const own = ownRequired.has(`${change.document ?? ''}\u0000${change.pointer}`);
      if (own && ['schema.required-added', 'schema.required-removed'].includes(change.rule) && typeof name === 'string')
        return !movers.present.has(name);
      // Changes without effect on validity (annotations, a property declared that was accepted) say nothing here.
      return !['none', 'warning'].includes(schemaRules[change.rule].effect);
    });
    const who =
      movers.description ??
      `instances that meet the ${relation === 'widened' ? 'new if and not the old' : 'old if and not the new'}`;
    const alike = relevant.length === 0 ? `, which accepts exactly what ${from} did of them` : '';
    this.emit(
      relation === 'widened' ? 'schema.if-widened' : 'schema.if-narrowed',
      keywordLocation(o, n, 'if'),
      `the if condition ${relation}: ${who} are now judged by ${to} instead of ${from}${alike}${moverSummary(relevant)}`,
    );
    for (const change of relevant)
      this.session.changes.push({
        ...change,
        message: `for instances that moved from ${from} to ${to}: ${change.message}`,
      });
  }

  /** allOf entries and $ref targets that could not be merged: each new conjunct must hold for all old instances. */
  private compareConjuncts(o: SchemaView, n: SchemaView, depth: number): void {
    if (o.conjuncts.length === 0 && n.conjuncts.length === 0) return;
    const key = (c: Conjunct): string =>
      c.kind === 'unresolved' ? `ref:${c.uri}` : canonicalJsonTrusted(c.node.value);
    const { pairs, onlyOld, onlyNew } = pairUp(o.conjuncts, n.conjuncts, key);
    for (const [a, b] of pairs) {
      if (a.kind === 'schema' && b.kind === 'schema') this.compare(a.node, b.node, depth + 1);
      else if (!(a.kind === 'unresolved' && b.kind === 'unresolved' && a.uri === b.uri))
        this.unresolved(b.kind === 'unresolved' ? b : a);
    }
    for (const c of onlyOld) {
      if (c.kind === 'unresolved') this.unresolved(c);
      else this.emit('schema.all-of-entry-removed', c.node, 'a conjunct (allOf entry or $ref) no longer applies');
    }
    for (const c of onlyNew) {
      if (c.kind === 'unresolved') this.unresolved(c);
      else this.emit('schema.all-of-entry-added', c.node, 'a conjunct (allOf entry or $ref) now applies');
    }
  }

  private unresolved(conjunct: Conjunct): void {
    const location = conjunct.kind === 'unresolved' ? conjunct : conjunct.node;
    this.emit(
      'schema.ref-unresolved',
      location,
      conjunct.kind === 'unresolved' ? `cannot resolve ${conjunct.uri}` : 'compared with an unresolved $ref',
    );
  }

  private compareDynamicRefs(o: SchemaView, n: SchemaView): void {
    const keywords = ['$recursiveRef', '$dynamicRef'];
    if (keywords.some((k) => o.keywords.has(k) || n.keywords.has(k))) {
      this.emit(
        'schema.dynamic-ref',
        keywordLocation(o, n, ...keywords),
        '$dynamicRef/$recursiveRef depend on the dynamic scope',
      );
    }
  }

  // ---- annotations and unknown keywords ----

  private compareMetadata(o: SchemaView, n: SchemaView): void {
    for (const keyword of new Set([...o.keywords.keys(), ...n.keywords.keys()])) {
      if (ruleKeywords.has(keyword)) continue;
      const a = o.keywords.get(keyword)?.value;
      const b = n.keywords.get(keyword)?.value;
      if (a !== undefined && b !== undefined && jsonEqual(a, b)) continue;
      const location = keywordLocation(o, n, keyword);
      const values = { old: a, new: b };
      if (keyword === 'default') this.emit('schema.default-changed', location, 'default changed', values);
      else if (isAnnotationKeyword(keyword))
        this.emit('schema.annotation-changed', location, `${keyword} changed`, values);
      else if (contentKeywords.has(keyword))
        this.emit('schema.content-changed', location, `${keyword} changed`, values);
      else if (keyword === '$ref' || keyword === 'allOf')
        this.emit('schema.not-a-schema', location, `malformed ${keyword}`, values);
      else this.emit('schema.unknown-keyword-changed', location, `unknown keyword ${keyword} changed`, values);
    }
  }
}

/** A property a branch constrains, and in which direction its parent already imposes that (see compareBranch). */
interface MootProperty {
  name: string;
  /** Where the branch's schema for it is, on each side: changes inside are the branch's constraint on its values. */
  at: { pointer: string; document: string | undefined }[];
  values: { backward: boolean; forward: boolean };
  required: { backward: boolean; forward: boolean };
}

/** Keywords whose presence (not only their validity) decides what unevaluated* sees. */
const evaluatingKeywords = [
  'properties',
  'patternProperties',
  'additionalProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  ...unevaluatedKeywords,
];

function sameEvaluationShape(o: SchemaView, n: SchemaView): boolean {
  return evaluatingKeywords.every((keyword) => {
    const a = o.keywords.get(keyword)?.value;
    const b = n.keywords.get(keyword)?.value;
    if ((a === undefined) !== (b === undefined)) return false;
    return !Array.isArray(a) || (Array.isArray(b) && a.length === b.length);
  });
}

/**
 * What the changes for instances that moved between then and else come to, by rule and most frequent first (buf.gen's
 * widened condition brings dozens): empty for fewer than two. Changes reported twice at one place count once.
 */
function moverSummary(changes: readonly RawChange[]): string {
  const places = new Map<string, Set<string>>();
  for (const change of changes) {
    const seen = places.get(change.rule) ?? new Set<string>();
    seen.add(`${change.document ?? ''}\u0000${change.pointer}`);
    places.set(change.rule, seen);
  }
  const total = [...places.values()].reduce((sum, seen) => sum + seen.size, 0);
  if (total < 2) return '';
  const byRule = [...places]
    .map(([rule, seen]) => [rule, seen.size] as const)
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([rule, count]) => `${count} ${rule}`);
  return `; ${total} changes for them follow (${byRule.join(', ')})`;
}

/** How deep `disjointOn` follows required properties into their schemas. */
const maxDisjointDepth = 3;

/** A oneOf on the values of one type: see compareOneOf. */
type GroupMeaning = 'empty' | 'rejected' | 'exact' | 'overlap';

interface OneOfMeaning {
  profiles: BranchProfile[];
  byGroup: Map<TypeGroup, GroupMeaning>;
}

interface BranchProfile {
  view: SchemaView;
  kinds: Set<InstanceKind>;
  /** Every value the branch admits, when they are few (a value set). */
  finite: JsonValue[] | undefined;
  required: string[];
}

function admitsGroup(profile: BranchProfile, group: TypeGroup): boolean {
  return kindsOfGroup(group).some((kind) => profile.kinds.has(kind));
}

function keyOf(normalized: Exclude<NormalizedSchema, { kind: 'invalid' }>): object {
  return normalized.kind === 'object' ? normalized.identity : trueKey;
}

function viewOf(normalized: Exclude<NormalizedSchema, { kind: 'invalid' }>): SchemaView {
  if (normalized.kind === 'object') return normalized;
  return { node: normalized.node, keywords: emptyKeywords, conjuncts: [] };
}

/** Pairs equal items first (by key), then the rest in order; pairing only affects precision, never soundness. */
function pairUp<T>(
  olds: readonly T[],
  news: readonly T[],
  key: (item: T) => string,
): { pairs: [T, T][]; onlyOld: T[]; onlyNew: T[] } {
  const pairs: [T, T][] = [];
  const waiting = new Map<string, number[]>();
  news.forEach((item, i) => {
    const k = key(item);
    waiting.set(k, [...(waiting.get(k) ?? []), i]);
  });
  const usedNew = new Set<number>();
  const unpairedOld: T[] = [];
  for (const item of olds) {
    const match = waiting.get(key(item))?.shift();
    if (match === undefined) unpairedOld.push(item);
    else {
      usedNew.add(match);
      pairs.push([item, news[match]!]);
    }
  }
  const unpairedNew = news.filter((_, i) => !usedNew.has(i));
  const count = Math.min(unpairedOld.length, unpairedNew.length);
  for (let i = 0; i < count; i++) pairs.push([unpairedOld[i]!, unpairedNew[i]!]);
  return { pairs, onlyOld: unpairedOld.slice(count), onlyNew: unpairedNew.slice(count) };
}

/** patternProperties keys compared at most on one pair of schemas: every pair of them is a product search. */
const maxRegionPatterns = 16;

/**
 * When the patternProperties keys changed: which old and new patterns share names (a pair), and which patterns take
 * names no pattern of the other side takes (paired with undefined: additionalProperties there). Only when the
 * patterns of each side are pairwise disjoint, so a name falls under one pattern per side at most; undefined when
 * they overlap or a language question is not decided.
 */
function patternRegions(
  keysO: readonly string[],
  keysN: readonly string[],
): Array<[string | undefined, string | undefined]> | undefined {
  if (keysO.length + keysN.length > maxRegionPatterns) return undefined;
  for (const keys of [keysO, keysN])
    for (let i = 0; i < keys.length; i++)
      for (let j = i + 1; j < keys.length; j++) if (commonMatch(keys[i]!, keys[j]!) !== null) return undefined;
  const regions: Array<[string | undefined, string | undefined]> = [];
  for (const patternO of keysO)
    for (const patternN of keysN) {
      const common = commonMatch(patternO, patternN);
      if (common === undefined) return undefined;
      if (common !== null) regions.push([patternO, patternN]);
    }
  const alone = (pattern: string, others: readonly string[]): boolean | undefined => {
    if (others.length === 0) return true;
    const inclusion = patternInclusion(pattern, others.map((other) => `(?:${other})`).join('|'));
    return inclusion === undefined ? undefined : !inclusion.included;
  };
  for (const patternO of keysO) {
    const outside = alone(patternO, keysN);
    if (outside === undefined) return undefined;
    if (outside) regions.push([patternO, undefined]);
  }
  for (const patternN of keysN) {
    const outside = alone(patternN, keysO);
    if (outside === undefined) return undefined;
    if (outside) regions.push([undefined, patternN]);
  }
  return regions;
}
