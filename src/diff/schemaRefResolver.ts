// Resolves $ref for one side of a comparison: inside the document itself, or through the caller's resolveRef.
import type { JsonValue } from '../core/json.js';
import { parseSpecId } from '../core/ref.js';
import { resolveUri, SchemaDocument, type SchemaNode } from './schemaDocument.js';

/** The base URI of a document that has no `$id`; only ever used to resolve relative references. */
const defaultDocumentUri = 'specstore:/schema.json';

/** Resolved target, or the absolute URI that could not be resolved (two equal URIs denote the same schema). */
export type RefResolution = { node: SchemaNode } | { unresolved: string };

export class SchemaRefResolver {
  readonly document: SchemaDocument;
  private readonly documents: SchemaDocument[];
  private readonly external = new Map<string, SchemaDocument | undefined>();

  constructor(
    root: JsonValue,
    private readonly resolveRef?: (ref: string) => JsonValue | undefined,
  ) {
    this.document = new SchemaDocument(root, undefined, defaultDocumentUri);
    this.documents = [this.document];
  }

  resolve(from: SchemaNode, ref: string): RefResolution {
    const absolute = resolveUri(ref, from.base);
    if (absolute === undefined) return { unresolved: ref };
    const hash = absolute.indexOf('#');
    const resourceUri = hash < 0 ? absolute : absolute.slice(0, hash);
    const fragment = hash < 0 ? '' : absolute.slice(hash + 1);
    const resource = this.findResource(resourceUri) ?? this.load(ref, resourceUri);
    if (resource === undefined) return { unresolved: absolute };
    const target = this.inResource(resource, fragment);
    return target === undefined ? { unresolved: absolute } : { node: target };
  }

  private findResource(uri: string): SchemaNode | undefined {
    for (const document of this.documents) {
      const node = document.resource(uri);
      if (node !== undefined) return node;
    }
    return undefined;
  }

  /**
   * Asks resolveRef for the document part of the reference: a spec id as written (e.g. "media.metadata@1"), else the
   * absolute URL it resolves to (e.g. "https://json.schemastore.org/base.json").
   */
  private load(ref: string, resourceUri: string): SchemaNode | undefined {
    if (this.resolveRef === undefined) return undefined;
    if (!this.external.has(resourceUri)) {
      const hash = ref.indexOf('#');
      const written = hash < 0 ? ref : ref.slice(0, hash);
      // A spec id as written; any other document by its absolute URL (the `$id` a schema spec declares).
      const documentPart = written === '' || parseSpecId(written) ? written : resourceUri;
      const value = documentPart === '' ? undefined : this.resolveRef(documentPart);
      const document = value === undefined ? undefined : new SchemaDocument(value, documentPart, resourceUri);
      this.external.set(resourceUri, document);
      if (document !== undefined) this.documents.push(document);
    }
    return this.external.get(resourceUri)?.root;
  }

  private inResource(resource: SchemaNode, fragment: string): SchemaNode | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(fragment);
    } catch {
      decoded = fragment;
    }
    if (decoded === '') return resource;
    if (decoded.startsWith('/')) return resource.document.at(resource, decoded);
    const hash = resource.base.indexOf('#');
    return resource.document.anchor(hash < 0 ? resource.base : resource.base.slice(0, hash), decoded);
  }
}
