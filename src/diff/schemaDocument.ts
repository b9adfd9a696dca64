// One JSON Schema document: its draft, the subschemas it names ($id, $anchor), and positions inside it.
import { isJsonObject, joinPointer, splitPointer, type JsonValue } from '../core/json.js';
import { schemaArrayKeywords, schemaMapKeywords, singleSchemaKeywords } from './schemaKeywords.js';

export type SchemaDraft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** A subschema together with where it is: pointer and document for reports, base URI for resolving its `$ref`. */
export interface SchemaNode {
  readonly value: JsonValue;
  readonly pointer: string;
  readonly document: SchemaDocument;
  readonly base: string;
  /** True for a keyword that is absent and stands for its default (`true`); `pointer` says where it would be. */
  readonly implicit?: boolean;
}

export function detectDraft(root: JsonValue): SchemaDraft | undefined {
  const uri = isJsonObject(root) ? root['$schema'] : undefined;
  if (typeof uri !== 'string') return undefined;
  if (uri.includes('draft-04')) return 'draft-04';
  if (uri.includes('draft-06')) return 'draft-06';
  if (uri.includes('draft-07')) return 'draft-07';
  if (uri.includes('2019-09')) return '2019-09';
  if (uri.includes('2020-12')) return '2020-12';
  return undefined;
}

/** Resolves a URI reference against a base; undefined when either is not a URI the WHATWG parser accepts. */
export function resolveUri(reference: string, base: string): string | undefined {
  try {
    return new URL(reference, base).href;
  } catch {
    return undefined;
  }
}

/** Upper bound on nesting walked when indexing names; deeper subschemas are simply not indexed. */
const maxIndexDepth = 512;

export class SchemaDocument {
  readonly draft: SchemaDraft | undefined;
  readonly root: SchemaNode;
  private readonly resources = new Map<string, SchemaNode>();
  private readonly anchors = new Map<string, SchemaNode>();

  /** `name` is how the document was reached through resolveRef (undefined for the document being compared). */
  constructor(
    value: JsonValue,
    readonly name: string | undefined,
    uri: string,
  ) {
    this.draft = detectDraft(value);
    const start: SchemaNode = { value, pointer: '', document: this, base: uri };
    this.resources.set(stripFragment(uri), start);
    this.root = this.rebase(start);
    this.index();
  }

  /** The subschema a (fragment-free) absolute URI names in this document, if any. */
  resource(uri: string): SchemaNode | undefined {
    return this.resources.get(uri);
  }

  anchor(resourceUri: string, name: string): SchemaNode | undefined {
    return this.anchors.get(`${resourceUri}#${name}`);
  }

  /** The node at a JSON pointer below `from`, following the $id of each object passed on the way. */
  at(from: SchemaNode, pointer: string): SchemaNode | undefined {
    let node: SchemaNode | undefined = from;
    for (const token of splitPointer(pointer)) {
      node = childNode(node, token);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /** The node with its base URI moved by its own `$id` (or draft-04 `id`). */
  rebase(node: SchemaNode): SchemaNode {
    const id = this.idOf(node.value);
    if (id === undefined || id.startsWith('#')) return node;
    const base = resolveUri(id, node.base);
    return base === undefined ? node : { ...node, base };
  }

  private idOf(value: JsonValue): string | undefined {
    if (!isJsonObject(value)) return undefined;
    if (typeof value['$id'] === 'string') return value['$id'];
    if ((this.draft === 'draft-04' || this.draft === undefined) && typeof value['id'] === 'string') return value['id'];
    return undefined;
  }

  private index(): void {
    const stack: { node: SchemaNode; depth: number }[] = [{ node: this.root, depth: 0 }];
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      const value = node.value;
      if (!isJsonObject(value) || depth > maxIndexDepth) continue;
      const resourceUri = stripFragment(node.base);
      const id = this.idOf(value);
      if (id !== undefined && !id.startsWith('#') && !this.resources.has(resourceUri))
        this.resources.set(resourceUri, node);
      const anchorNames: string[] = [];
      if (id?.startsWith('#') && id.length > 1) anchorNames.push(id.slice(1));
      for (const keyword of ['$anchor', '$dynamicAnchor']) {
        const name = value[keyword];
        if (typeof name === 'string') anchorNames.push(name);
      }
      for (const name of anchorNames) {
        const key = `${resourceUri}#${name}`;
        if (!this.anchors.has(key)) this.anchors.set(key, node);
      }
      for (const child of subschemasOf(node)) stack.push({ node: child, depth: depth + 1 });
    }
  }
}

function stripFragment(uri: string): string {
  const hash = uri.indexOf('#');
  return hash < 0 ? uri : uri.slice(0, hash);
}

/** The child at `tokens` below `parent` (undefined when absent), its base moved by its own `$id`. */
export function childNode(parent: SchemaNode, ...tokens: (string | number)[]): SchemaNode | undefined {
  let value: JsonValue | undefined = parent.value;
  let pointer = parent.pointer;
  for (const token of tokens) {
    if (Array.isArray(value) && typeof token === 'number') value = value[token];
    else if (isJsonObject(value) && typeof token === 'string' && Object.hasOwn(value, token)) value = value[token];
    else if (Array.isArray(value) && typeof token === 'string' && /^(0|[1-9][0-9]*)$/.test(token))
      value = value[Number(token)];
    else return undefined;
    if (value === undefined) return undefined;
    pointer = joinPointer(pointer, token);
  }
  return parent.document.rebase({ value: value!, pointer, document: parent.document, base: parent.base });
}

/** The child at `tokens`, or an implicit `true` standing in for it when the keyword is absent. */
export function childOrTrue(parent: SchemaNode, ...tokens: (string | number)[]): SchemaNode {
  return childNode(parent, ...tokens) ?? implicitTrue(parent, ...tokens);
}

export function implicitTrue(parent: SchemaNode, ...tokens: (string | number)[]): SchemaNode {
  let pointer = parent.pointer;
  for (const token of tokens) pointer = joinPointer(pointer, token);
  return { value: true, pointer, document: parent.document, base: parent.base, implicit: true };
}

/** Every direct subschema of a schema object, in the positions the drafts 04 to 2020-12 define. */
export function subschemasOf(node: SchemaNode): SchemaNode[] {
  const value = node.value;
  if (!isJsonObject(value)) return [];
  const children: SchemaNode[] = [];
  const push = (...tokens: (string | number)[]): void => {
    const child = childNode(node, ...tokens);
    if (child !== undefined) children.push(child);
  };
  for (const [keyword, child] of Object.entries(value)) {
    if (singleSchemaKeywords.has(keyword)) push(keyword);
    else if (schemaArrayKeywords.has(keyword) && Array.isArray(child)) child.forEach((_, i) => push(keyword, i));
    else if (keyword === 'items') {
      if (Array.isArray(child)) child.forEach((_, i) => push(keyword, i));
      else push(keyword);
    } else if (schemaMapKeywords.has(keyword) && isJsonObject(child)) {
      for (const name of Object.keys(child)) push(keyword, name);
    } else if (keyword === 'dependencies' && isJsonObject(child)) {
      for (const [name, dependency] of Object.entries(child)) if (!Array.isArray(dependency)) push(keyword, name);
    }
  }
  return children;
}
