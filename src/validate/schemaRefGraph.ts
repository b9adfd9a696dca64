// The graph of a schema's subschemas and `$ref`s across schema specs: refuses what cannot be evaluated with bounded
// work (a `$ref` cycle that never descends into the data, a chain deeper than the bound), before ajv ever sees it.
import { splitPointer, type JsonValue } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import type { Draft } from './ajvInstances.js';
import type { SchemaLookup, SchemaProblem } from './schemaCompiler.js';

/**
 * The deepest a schema may go, counting each nested subschema and each `$ref` followed as one level. ajv compiles a
 * `$ref` target inside the code of its referrer, so its stack grows with this depth: it overflows near 500 here
 * (250 chained schema specs one level deep each); 200 leaves room for the frames of whatever calls it.
 */
export const maxSchemaDepth = 200;

/** Keywords whose subschemas apply to the same instance: a cycle through these alone never terminates. */
const inPlaceSingle = ['not', 'if', 'then', 'else'];
const inPlaceLists = ['allOf', 'anyOf', 'oneOf'];
const inPlaceMaps = ['dependentSchemas', 'dependencies'];
/** Keywords whose subschemas apply to a part of the instance (a member, an item, a property name). */
const descendingSingle = [
  'additionalProperties',
  'additionalItems',
  'items',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];
const descendingLists = ['prefixItems', 'items'];
const descendingMaps = ['properties', 'patternProperties'];

/** The keywords ajv cannot evaluate as the specification says (measured on the JSON Schema Test Suite). */
const unsupportedKeywords = ['$dynamicRef', '$recursiveRef'];

interface Node {
  /** `document#pointer`. */
  key: string;
  document: string;
  pointer: string;
}

interface Edge {
  to: Node;
  inPlace: boolean;
  /** Where the edge is written (a `$ref` member), in the document it starts from. */
  refPointer?: string;
}

interface DocumentIndex {
  value: JsonValue;
  base: string;
  /** Absolute URIs (no fragment) of `$id`s, and `uri#anchor`s, to the pointer of the subschema. */
  locations: Map<string, string>;
  /** The base URI in force at each subschema's pointer. */
  bases: Map<string, string>;
}

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
const metaSchema = /^https?:\/\/json-schema\.org\//;

function isSchemaObject(value: JsonValue | undefined): value is Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Resolves `ref` against `base`; undefined when either is not a URI the URL parser takes. */
function resolveUri(ref: string, base: string): string | undefined {
  try {
    return new URL(ref, base).href;
  } catch {
    return undefined;
  }
}

export class SchemaRefGraph {
  private readonly documents = new Map<string, DocumentIndex | null>();

  /**
   * @param root the schema checked, known as `rootKey` (its spec id, so that other specs' `$ref`s back to it land on it)
   */
  constructor(
    private readonly root: JsonValue,
    private readonly rootKey: string,
    private readonly draft: Draft,
    private readonly schemaSpecs: SchemaLookup,
  ) {}

  private document(key: string): DocumentIndex | undefined {
    let index = this.documents.get(key);
    if (index === undefined) {
      const value = key === this.rootKey ? this.root : this.schemaSpecs.get(key);
      index = value === undefined ? null : this.indexDocument(value, key);
      this.documents.set(key, index);
    }
    return index ?? undefined;
  }

  private indexDocument(value: JsonValue, key: string): DocumentIndex {
    const idKeyword = this.draft === 'draft-04' ? 'id' : '$id';
    const refHidesId = this.draft === 'draft-04' || this.draft === 'draft-06' || this.draft === 'draft-07';
    const placeholder = `https://spec.invalid/${encodeURIComponent(key)}`;
    const index: DocumentIndex = {
      value,
      base: placeholder,
      locations: new Map([[placeholder, '']]),
      bases: new Map(),
    };
    const stack: { value: JsonValue; pointer: string; base: string }[] = [{ value, pointer: '', base: placeholder }];
    while (stack.length > 0) {
      const { value: current, pointer, base: parentBase } = stack.pop()!;
      if (Array.isArray(current)) {
        current.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}`, base: parentBase }));
        continue;
      }
      if (!isSchemaObject(current)) continue;
      let base = parentBase;
      const id = current[idKeyword];
      if (typeof id === 'string' && !(refHidesId && typeof current['$ref'] === 'string')) {
        const resolved = resolveUri(id, parentBase);
        if (resolved !== undefined) {
          const hash = resolved.indexOf('#');
          const uri = hash === -1 ? resolved : resolved.slice(0, hash);
          const fragment = hash === -1 ? '' : resolved.slice(hash + 1);
          if (fragment === '' || !id.startsWith('#')) {
            base = uri;
            index.locations.set(uri, pointer);
          }
          if (fragment !== '') index.locations.set(`${uri}#${fragment}`, pointer);
        }
      }
      if (pointer === '') index.base = base;
      index.bases.set(pointer, base);
      for (const anchorKeyword of ['$anchor', '$dynamicAnchor']) {
        const anchor = current[anchorKeyword];
        if (typeof anchor === 'string') index.locations.set(`${base}#${anchor}`, pointer);
      }
      for (const [member, child] of Object.entries(current)) {
        if (member === 'enum' || member === 'const' || member === 'default' || member === 'examples') continue;
        stack.push({ value: child, pointer: `${pointer}/${escape(member)}`, base });
      }
    }
    return index;
  }

  /** The node a `$ref` written in `document` at the subschema `at` lands on; undefined when it cannot be followed. */
  private resolveRef(document: string, at: string, ref: string): Node | undefined {
    const hash = ref.indexOf('#');
    const target = hash === -1 ? ref : ref.slice(0, hash);
    let fragment = hash === -1 ? '' : ref.slice(hash + 1);
    let targetDocument = document;
    let resourcePointer = '';
    if (parseSpecId(target)) {
      targetDocument = target;
      if (!this.document(target)) return undefined;
    } else {
      const index = this.document(document)!;
      const resolved = resolveUri(ref, index.bases.get(at) ?? index.base);
      if (resolved === undefined || metaSchema.test(resolved)) return undefined;
      const resolvedHash = resolved.indexOf('#');
      const uri = resolvedHash === -1 ? resolved : resolved.slice(0, resolvedHash);
      fragment = resolvedHash === -1 ? '' : decodeURIComponent(resolved.slice(resolvedHash + 1));
      if (fragment !== '' && !fragment.startsWith('/')) {
        const anchored = index.locations.get(`${uri}#${fragment}`);
        if (anchored !== undefined) return this.node(document, anchored);
        const specId = index.locations.has(uri) ? undefined : this.schemaSpecs.idOf?.(uri);
        const foreignAnchor =
          specId === undefined ? undefined : this.document(specId)?.locations.get(`${uri}#${fragment}`);
        return foreignAnchor === undefined ? undefined : this.node(specId!, foreignAnchor);
      }
      const resource = index.locations.get(uri);
      if (resource !== undefined) resourcePointer = resource;
      else {
        // Another schema spec, by the URL its `$id` declares.
        const specId = this.schemaSpecs.idOf?.(uri);
        const foreign = specId === undefined ? undefined : this.document(specId);
        if (specId === undefined || !foreign) return undefined;
        targetDocument = specId;
        resourcePointer = foreign.locations.get(foreign.base) ?? '';
      }
    }
    if (fragment !== '' && !fragment.startsWith('/')) {
      const index = this.document(targetDocument)!;
      const anchored = index.locations.get(`${index.base}#${fragment}`);
      return anchored === undefined ? undefined : this.node(targetDocument, anchored);
    }
    let pointer = resourcePointer + fragment;
    if (fragment.startsWith('/')) {
      try {
        pointer = resourcePointer + decodeURIComponent(fragment);
      } catch {
        return undefined;
      }
    }
    return this.node(targetDocument, pointer === '/' ? '' : pointer);
  }

  private node(document: string, pointer: string): Node {
    return { key: `${document}#${pointer}`, document, pointer };
  }

  private valueAt(node: Node): JsonValue | undefined {
    let current: JsonValue | undefined = this.document(node.document)?.value;
    for (const token of splitPointer(node.pointer)) {
      if (Array.isArray(current)) current = current[Number(token)];
      else if (isSchemaObject(current)) current = Object.hasOwn(current, token) ? current[token] : undefined;
      else return undefined;
      if (current === undefined) return undefined;
    }
    return current;
  }

  private edges(node: Node, problems: SchemaProblem[]): Edge[] {
    const value = this.valueAt(node);
    if (!isSchemaObject(value)) return [];
    const edges: Edge[] = [];
    const child = (path: string, inPlace: boolean) =>
      edges.push({ to: this.node(node.document, `${node.pointer}${path}`), inPlace });
    for (const keyword of unsupportedKeywords) {
      if (keyword in value && node.document === this.rootKey) {
        problems.push({
          code: 'SCHEMA_KEYWORD_UNSUPPORTED',
          pointer: `${node.pointer}/${keyword}`,
          message: `${keyword} is not supported: its dynamic scope is not evaluated as the specification says (use $ref)`,
        });
      }
    }
    const ref = value['$ref'];
    if (typeof ref === 'string') {
      const to = this.resolveRef(node.document, node.pointer, ref);
      if (to) edges.push({ to, inPlace: true, refPointer: `${node.pointer}/$ref` });
    }
    for (const keyword of inPlaceSingle) if (keyword in value) child(`/${keyword}`, true);
    for (const keyword of descendingSingle)
      if (isSchemaObject(value[keyword]) || typeof value[keyword] === 'boolean') child(`/${keyword}`, false);
    for (const keyword of [...inPlaceLists, ...descendingLists]) {
      const list = value[keyword];
      if (Array.isArray(list)) list.forEach((_, i) => child(`/${keyword}/${i}`, inPlaceLists.includes(keyword)));
    }
    for (const keyword of [...inPlaceMaps, ...descendingMaps]) {
      const map = value[keyword];
      if (!isSchemaObject(map)) continue;
      for (const [name, sub] of Object.entries(map))
        if (isSchemaObject(sub) || typeof sub === 'boolean')
          child(`/${keyword}/${escape(name)}`, inPlaceMaps.includes(keyword));
    }
    return edges;
  }

  /** SCHEMA_REF_CYCLE, SCHEMA_REF_TOO_DEEP and SCHEMA_KEYWORD_UNSUPPORTED problems, positioned in the root schema. */
  check(): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    const start = this.node(this.rootKey, '');
    // One iterative depth-first walk over every edge: depth (with back edges counting nothing, as ajv compiles a
    // recursive target once) and, on the in-place edges only, cycles.
    const edgesOf = new Map<string, Edge[]>();
    const depth = new Map<string, number>();
    const onStack = new Set<string>();
    /** Per frame: the node, its edges, the next edge, the deepest child, and the root-document `$ref` that led here. */
    const frames: { node: Node; edges: Edge[]; next: number; deepest: number; via: string }[] = [];
    const enter = (node: Node, via: string) => {
      let edges = edgesOf.get(node.key);
      if (!edges) edgesOf.set(node.key, (edges = this.edges(node, problems)));
      onStack.add(node.key);
      frames.push({ node, edges, next: 0, deepest: 0, via });
    };
    enter(start, '');
    let tooDeep = false;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.next < frame.edges.length) {
        const edge = frame.edges[frame.next++]!;
        const via =
          frame.via !== ''
            ? frame.via
            : edge.refPointer !== undefined && frame.node.document === this.rootKey
              ? edge.refPointer
              : '';
        if (onStack.has(edge.to.key)) continue;
        const known = depth.get(edge.to.key);
        if (known !== undefined) frame.deepest = Math.max(frame.deepest, known);
        else if (frames.length > maxSchemaDepth) {
          if (!tooDeep)
            problems.push({
              code: 'SCHEMA_REF_TOO_DEEP',
              pointer: via || edge.refPointer || '',
              message: `subschemas and $refs nest deeper than ${maxSchemaDepth} levels (see docs/specs.md#recursive-schemas)`,
            });
          tooDeep = true;
        } else enter(edge.to, via);
        continue;
      }
      frames.pop();
      onStack.delete(frame.node.key);
      depth.set(frame.node.key, frame.deepest + 1);
      if (frames.length > 0)
        frames[frames.length - 1]!.deepest = Math.max(frames[frames.length - 1]!.deepest, frame.deepest + 1);
    }
    if (!tooDeep) problems.push(...this.inPlaceCycles(edgesOf), ...this.unevaluatedHazards(edgesOf));
    return problems;
  }

  /** A cycle of in-place edges: evaluating it applies the same schemas to the same value forever. */
  private inPlaceCycles(edgesOf: Map<string, Edge[]>): SchemaProblem[] {
    const state = new Map<string, 'active' | 'done'>();
    for (const startKey of edgesOf.keys()) {
      if (state.has(startKey)) continue;
      const frames: { key: string; edges: Edge[]; next: number }[] = [
        { key: startKey, edges: (edgesOf.get(startKey) ?? []).filter((e) => e.inPlace), next: 0 },
      ];
      state.set(startKey, 'active');
      while (frames.length > 0) {
        const frame = frames[frames.length - 1]!;
        if (frame.next >= frame.edges.length) {
          state.set(frame.key, 'done');
          frames.pop();
          continue;
        }
        const edge = frame.edges[frame.next++]!;
        const seen = state.get(edge.to.key);
        if (seen === 'active') {
          const cycle = frames.slice(frames.findIndex((f) => f.key === edge.to.key));
          const pointer = this.rootRefPointer(cycle);
          return [
            {
              code: 'SCHEMA_REF_CYCLE',
              pointer,
              message: `$ref cycle that never descends into the data (through ${cycle.map((f) => f.key).join(', ')}): validating it would never end`,
            },
          ];
        }
        if (seen === 'done') continue;
        state.set(edge.to.key, 'active');
        frames.push({ key: edge.to.key, edges: (edgesOf.get(edge.to.key) ?? []).filter((e) => e.inPlace), next: 0 });
      }
    }
    return [];
  }

  /**
   * ajv evaluates `unevaluatedItems` and `unevaluatedProperties` wrongly (accepting invalid data) next to `contains`
   * (2020-12), next to `items` in an `anyOf`/`oneOf` branch, and next to an `if` with only one of `then`/`else`:
   * such a schema is refused rather than trusted.
   */
  private unevaluatedHazards(edgesOf: Map<string, Edge[]>): SchemaProblem[] {
    const reached = [...edgesOf.keys()].map((key) => {
      const hash = key.indexOf('#');
      const node = this.node(key.slice(0, hash), key.slice(hash + 1));
      return { node, value: this.valueAt(node) };
    });
    const has = (keyword: string) => reached.some(({ value }) => isSchemaObject(value) && keyword in value);
    const unevaluated = reached.find(
      ({ value }) => isSchemaObject(value) && ('unevaluatedItems' in value || 'unevaluatedProperties' in value),
    );
    if (!unevaluated) return [];
    const at = unevaluated.node.document === this.rootKey ? unevaluated.node.pointer : '';
    const refuse = (why: string): SchemaProblem[] => [
      {
        code: 'SCHEMA_KEYWORD_UNSUPPORTED',
        pointer: at,
        message: `unevaluatedItems/unevaluatedProperties ${why} is not evaluated correctly by the validator: the schema is refused rather than trusted`,
      },
    ];
    const itemsInBranch = reached.some(
      ({ node, value }) =>
        isSchemaObject(value) &&
        /\/(anyOf|oneOf)\/\d+$/.test(node.pointer) &&
        ('items' in value || 'prefixItems' in value || 'additionalItems' in value),
    );
    const oneSidedIf = reached.some(
      ({ value }) => isSchemaObject(value) && 'if' in value && 'then' in value !== 'else' in value,
    );
    if (has('unevaluatedItems') && this.draft === '2020-12' && has('contains')) return refuse('next to contains');
    if (has('unevaluatedItems') && itemsInBranch) return refuse('next to items in an anyOf or oneOf branch');
    if (oneSidedIf) return refuse('next to an if with only one of then and else');
    return [];
  }

  /** The `$ref` member of the cycle written in the root document, else the root. */
  private rootRefPointer(cycle: { key: string; edges: Edge[]; next: number }[]): string {
    for (const frame of cycle) {
      if (!frame.key.startsWith(`${this.rootKey}#`)) continue;
      const edge = frame.edges[frame.next - 1];
      if (edge?.refPointer !== undefined) return edge.refPointer;
    }
    return '';
  }
}
