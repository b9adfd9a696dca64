// `spec docs`: Markdown pages of one snapshot (an index, a page per spec, the reference graph), the same bytes each time.
import type { Digest } from '../core/digest.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { builtinKinds } from '../kinds/builtinKinds.js';
import { matchPointerPattern, type KindDescriptor } from '../kinds/kindDescriptor.js';
import { outgoingReferences, type OutgoingReference } from '../snapshot/referenceIndex.js';
import { schemaIdIndex } from '../snapshot/schemaIdIndex.js';
import { parseSpecId } from '../core/ref.js';
import type { SnapshotEntry, SnapshotView } from '../snapshot/snapshotView.js';
import type { BuildMetadata } from '../store/specStore.js';
import { catalogKinds, type CatalogKind } from '../catalog/catalogKinds.js';
import { indexPagePath, referencesPagePath, relativeLink, specPagePath } from './docsLayout.js';
import {
  jsonCode,
  markdownCode,
  markdownLink,
  markdownTable,
  markdownText,
  mermaidLabel,
  prettyJson,
} from './markdownText.js';

export interface GenerateDocsOptions {
  /** The kinds to describe specs by (default the built-in ones); kinds the snapshot records join them. */
  kinds?: readonly KindDescriptor[];
  /** The snapshot's recorded build metadata (`store.snapshotMetadata(id)`), shown at the top of the index. */
  metadata?: BuildMetadata;
}

/** One generated file: its path relative to the output directory (`/`-separated) and its text. */
export interface DocsFile {
  path: string;
  text: string;
}

export interface GeneratedDocs {
  snapshot: Digest;
  /** Sorted by path. */
  files: DocsFile[];
}

/** A spec with what the pages need: its entry, document, page, and the references both ways (resolved to ids). */
interface DocumentedSpec {
  entry: SnapshotEntry;
  spec: JsonObject;
  kind: CatalogKind | undefined;
  page: string;
  origin: string;
  outgoing: (OutgoingReference & { target: string | undefined })[];
  incoming: { id: string; kind: string; pointer: string; via: OutgoingReference['via'] }[];
}

const batchSize = 512;

/**
 * Every page of the docs of a snapshot, in memory: `index.md`, `references.md` and one page per spec under its kind's
 * folder (docs/cli.md#spec-docs has the layout). Deterministic: everything is sorted, and the only time shown is the
 * build time in `metadata`.
 */
export async function generateDocs(view: SnapshotView, options: GenerateDocsOptions = {}): Promise<GeneratedDocs> {
  const kinds = await catalogKinds(view, options.kinds ?? builtinKinds);
  const kindByName = new Map(kinds.map((kind) => [kind.name, kind]));
  const plugins = new Map(Object.entries(view.plugins()).sort((a, b) => compareText(a[0], b[0])));
  const entries = await view.list();
  const specs = new Map<string, DocumentedSpec>();
  for (let start = 0; start < entries.length; start += batchSize) {
    const slice = entries.slice(start, start + batchSize);
    const documents = await view.readSpecs(slice);
    slice.forEach((entry, i) => {
      const kind = kindByName.get(entry.kind);
      specs.set(entry.id, {
        entry,
        spec: documents[i]!,
        kind,
        page: specPagePath(kind?.directory ?? entry.kind, entry.id),
        origin: view.originLabel(entry),
        outgoing: [],
        incoming: [],
      });
    });
  }
  await linkReferences(view, specs);

  const files: DocsFile[] = [
    { path: indexPagePath, text: indexPage(view, options.metadata, kinds, specs, plugins) },
    { path: referencesPagePath, text: referencesPage(view, specs) },
    ...[...specs.values()].map((documented) => ({ path: documented.page, text: specPage(view, documented, specs) })),
  ];
  return { snapshot: view.id, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** Resolves every reference (a bare name to its highest version, as the snapshot resolves it) and fills referrers. */
async function linkReferences(view: SnapshotView, specs: Map<string, DocumentedSpec>): Promise<void> {
  const resolved = new Map<string, string | undefined>();
  for (const documented of specs.values()) {
    if (!documented.kind) continue;
    for (const reference of outgoingReferences(documented.spec, documented.kind)) {
      if (!resolved.has(reference.ref)) resolved.set(reference.ref, await lookupId(view, reference.ref));
      const target = resolved.get(reference.ref);
      documented.outgoing.push({ ...reference, target });
      if (target !== undefined)
        specs.get(target)?.incoming.push({
          id: documented.entry.id,
          kind: documented.entry.kind,
          pointer: reference.pointer,
          via: reference.via,
        });
    }
  }
  for (const documented of specs.values()) {
    documented.outgoing.sort((a, b) => compareText(a.pointer, b.pointer) || compareText(a.ref, b.ref));
    documented.incoming.sort((a, b) => compareText(a.id, b.id) || compareText(a.pointer, b.pointer));
  }
}

async function lookupId(view: SnapshotView, ref: string): Promise<string | undefined> {
  const byUrl = parseSpecId(ref) ? undefined : (await schemaIdIndex(view)).get(ref);
  if (byUrl !== undefined) return byUrl; // a schema `$ref` by the URL a schema spec declares as `$id`
  try {
    return (await view.lookup(ref))?.id;
  } catch {
    return undefined; // a reference that is not a ref (a schema `$ref` to something else) links nowhere
  }
}

function indexPage(
  view: SnapshotView,
  metadata: BuildMetadata | undefined,
  kinds: readonly CatalogKind[],
  specs: ReadonlyMap<string, DocumentedSpec>,
  plugins: ReadonlyMap<string, string>,
): string {
  const kindDigests = view.kindDigests();
  const facts: [string, string][] = [
    ['snapshot', markdownCode(view.id)],
    ['format', markdownCode(view.format)],
    ['specs', String(view.size)],
  ];
  if (metadata) {
    facts.push(['built', markdownCode(metadata.createdAt)], ['tool', markdownText(metadata.tool)]);
    if (metadata.gitCommit !== undefined) facts.push(['git commit', markdownCode(metadata.gitCommit)]);
  }
  if (plugins.size > 0)
    facts.push(['plugins', [...plugins].map(([name, version]) => markdownCode(`${name}@${version}`)).join(', ')]);
  const byKind = new Map<string, DocumentedSpec[]>();
  for (const documented of specs.values()) {
    const list = byKind.get(documented.entry.kind) ?? [];
    list.push(documented);
    byKind.set(documented.entry.kind, list);
  }
  const kindNames = [...new Set([...kinds.map((kind) => kind.name), ...byKind.keys()])].sort(compareText);
  const summaryOf = (name: string) => kinds.find((kind) => kind.name === name)?.summary ?? '';
  const sections = [
    `# Snapshot ${markdownCode(view.id)}`,
    markdownTable(
      ['', ''],
      facts.map(([name, value]) => [name, value]),
    ),
    `The reference graph of every spec: ${markdownLink('references', referencesPagePath)}.`,
    '## Kinds',
    markdownTable(
      ['kind', 'summary', 'specs', 'definition'],
      kindNames.map((name) => [
        markdownText(name),
        markdownText(summaryOf(name)),
        String(byKind.get(name)?.length ?? 0),
        kindDigests[name] === undefined ? '' : markdownCode(digestPrefix(kindDigests[name])),
      ]),
    ),
  ];
  for (const name of kindNames) {
    const list = byKind.get(name);
    if (!list) continue;
    const kind = kinds.find((each) => each.name === name);
    sections.push(
      `## ${name}`,
      markdownTable(
        ['id', 'summary', 'capabilities', 'digest'],
        list.map((documented) => [
          markdownLink(documented.entry.id, documented.page),
          markdownText(summaryOfSpec(documented.spec)),
          capabilitiesOf(documented.spec, kind)
            .map((capability) => markdownCode(capability))
            .join(', '),
          markdownCode(digestPrefix(documented.entry.digest)),
        ]),
      ),
    );
  }
  return `${sections.join('\n\n')}\n`;
}

/** The reference graph: every spec that references or is referenced, as a Mermaid flowchart, and as a table. */
function referencesPage(view: SnapshotView, specs: ReadonlyMap<string, DocumentedSpec>): string {
  const edges = new Set<string>();
  const pairs: [string, string][] = [];
  for (const documented of specs.values())
    for (const reference of documented.outgoing) {
      if (reference.target === undefined) continue;
      const key = `${documented.entry.id}\u0000${reference.target}`;
      if (edges.has(key)) continue;
      edges.add(key);
      pairs.push([documented.entry.id, reference.target]);
    }
  pairs.sort((a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]));
  const nodes = [...new Set(pairs.flat())].sort(compareText);
  const nodeId = new Map(nodes.map((id, i) => [id, `s${i}`]));
  const diagram = [
    '```mermaid',
    'flowchart LR',
    ...nodes.map((id) => `  ${nodeId.get(id)}[${mermaidLabel(id)}]`),
    ...pairs.map(([from, to]) => `  ${nodeId.get(from)} --> ${nodeId.get(to)}`),
    '```',
  ].join('\n');
  const sections = [
    '# References',
    `${markdownLink('Index', indexPagePath)} · snapshot ${markdownCode(view.id)}`,
    pairs.length === 0 ? 'No spec references another.' : diagram,
  ];
  if (pairs.length > 0)
    sections.push(
      markdownTable(
        ['spec', 'references'],
        pairs.map(([from, to]) => [markdownLink(from, specs.get(from)!.page), markdownLink(to, specs.get(to)!.page)]),
      ),
    );
  return `${sections.join('\n\n')}\n`;
}

/** Fields shown in sections of their own, not in the fields table. */
const ownSections = new Set(['id', 'inputs', 'outputs', 'variables', 'predicates', 'graph']);

function specPage(view: SnapshotView, documented: DocumentedSpec, specs: ReadonlyMap<string, DocumentedSpec>): string {
  const { entry, spec, page } = documented;
  const link = (id: string) => markdownLink(id, relativeLink(page, specs.get(id)!.page));
  const refCell = (ref: string) => {
    const target = documented.outgoing.find((reference) => reference.ref === ref)?.target;
    return target === undefined ? markdownCode(ref) : link(target);
  };
  const sections = [
    `# ${markdownCode(entry.id)}`,
    `${markdownLink('Index', relativeLink(page, indexPagePath))} · ${markdownText(entry.kind)}`,
    markdownTable(
      ['', ''],
      [
        ['kind', markdownText(entry.kind)],
        ['summary', markdownText(summaryOfSpec(spec))],
        ['digest', markdownCode(entry.digest)],
        ['origin', markdownText(documented.origin)],
        ['snapshot', markdownCode(view.id)],
      ],
    ),
  ];
  const fields = Object.keys(spec)
    .filter((key) => !ownSections.has(key))
    .sort(compareText);
  const inline = fields.filter((key) => isInline(spec[key]!));
  if (inline.length > 0)
    sections.push(
      '## Fields',
      markdownTable(
        ['field', 'value'],
        inline.map((key) => [markdownCode(key), jsonCode(spec[key]!)]),
      ),
    );
  for (const key of fields.filter((each) => !isInline(spec[each]!)))
    sections.push(`## ${markdownCode(key)}`, `\`\`\`json\n${prettyJson(spec[key]!)}\n\`\`\``);
  for (const [key, title] of [
    ['inputs', 'Inputs'],
    ['outputs', 'Outputs'],
    ['variables', 'Variables'],
  ] as const) {
    const ports = spec[key];
    if (!Array.isArray(ports)) continue;
    sections.push(
      `## ${title}`,
      markdownTable(
        ['name', 'type', 'required', 'default', 'schema'],
        ports.map((port) => {
          const fieldsOf = isJsonObject(port) ? port : {};
          const schema = fieldsOf['schema'];
          return [
            typeof fieldsOf['name'] === 'string' ? markdownCode(fieldsOf['name']) : '',
            typeof fieldsOf['type'] === 'string' ? markdownCode(fieldsOf['type']) : '',
            fieldsOf['required'] === true ? 'yes' : 'no',
            fieldsOf['default'] === undefined ? '' : jsonCode(fieldsOf['default']),
            typeof schema === 'string' ? refCell(schema) : schema === undefined ? '' : jsonCode(schema),
          ];
        }),
      ),
    );
  }
  const predicates = spec['predicates'];
  if (isJsonObject(predicates)) {
    const rows = Object.keys(predicates)
      .sort(compareText)
      .flatMap((phase) => {
        const list = predicates[phase];
        return (Array.isArray(list) ? list : []).map((item) => {
          const fieldsOf = isJsonObject(item) ? item : {};
          const id = fieldsOf['id'];
          return [
            markdownCode(phase),
            typeof id === 'string' ? refCell(id) : '',
            fieldsOf['args'] === undefined ? '' : jsonCode(fieldsOf['args']),
          ];
        });
      });
    sections.push('## Predicates', markdownTable(['phase', 'predicate', 'args'], rows));
  }
  const workflow = workflowDiagram(spec, refCell);
  if (workflow) sections.push('## Workflow', workflow);
  sections.push(
    '## References',
    documented.outgoing.length === 0
      ? 'None.'
      : markdownTable(
          ['at', 'to', 'via'],
          documented.outgoing.map((reference) => [
            markdownCode(reference.pointer),
            reference.target === undefined ? markdownCode(reference.ref) : link(reference.target),
            reference.via === 'field' ? 'field' : 'schema `$ref`',
          ]),
        ),
    '## Referenced by',
    documented.incoming.length === 0
      ? 'None.'
      : markdownTable(
          ['spec', 'kind', 'at'],
          documented.incoming.map((referrer) => [
            link(referrer.id),
            markdownText(referrer.kind),
            markdownCode(referrer.pointer),
          ]),
        ),
  );
  return `${sections.join('\n\n')}\n`;
}

/**
 * A workflow's `graph` (named nodes, each with a `step` ref and `next` node names) from `start`, as a Mermaid
 * flowchart, and its nodes as a table; undefined for a spec without a graph. Nodes in name order.
 */
function workflowDiagram(spec: JsonObject, refCell: (ref: string) => string): string | undefined {
  const graph = spec['graph'];
  if (!isJsonObject(graph)) return undefined;
  const names = Object.keys(graph).sort(compareText);
  const nodeId = new Map(names.map((name, i) => [name, `n${i}`]));
  const nodeOf = (name: string): JsonObject => {
    const node = graph[name];
    return isJsonObject(node) ? node : {};
  };
  const stepOf = (name: string) => {
    const step = nodeOf(name)['step'];
    return typeof step === 'string' ? step : undefined;
  };
  const nextOf = (name: string) => {
    const next = nodeOf(name)['next'];
    return (Array.isArray(next) ? next : []).filter((item): item is string => typeof item === 'string');
  };
  const lines = ['```mermaid', 'flowchart TD'];
  const start = spec['start'];
  if (typeof start === 'string' && nodeId.has(start))
    lines.push(`  start((${mermaidLabel('start')}))`, `  start --> ${nodeId.get(start)}`);
  for (const name of names) {
    const step = stepOf(name);
    lines.push(`  ${nodeId.get(name)}[${mermaidLabel(step === undefined ? name : `${name}: ${step}`)}]`);
  }
  for (const name of names)
    for (const next of [...new Set(nextOf(name))].sort(compareText))
      if (nodeId.has(next)) lines.push(`  ${nodeId.get(name)} --> ${nodeId.get(next)}`);
  lines.push('```');
  const table = markdownTable(
    ['node', 'step', 'next'],
    names.map((name) => {
      const step = stepOf(name);
      return [
        markdownCode(name),
        step === undefined ? '' : refCell(step),
        nextOf(name)
          .map((next) => markdownCode(next))
          .join(', '),
      ];
    }),
  );
  return `${lines.join('\n')}\n\n${table}`;
}

/** A field whose value fits a table cell: not an object or array of more than a line's worth. */
function isInline(value: JsonValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  return JSON.stringify(value).length <= 80 && !JSON.stringify(value).includes('\\n');
}

function summaryOfSpec(spec: JsonObject): string {
  for (const key of ['description', 'name']) {
    const value = spec[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}

function capabilitiesOf(spec: JsonObject, kind: CatalogKind | undefined): string[] {
  if (kind?.capabilities === undefined) return [];
  return matchPointerPattern(spec, kind.capabilities).flatMap(({ value }) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [],
  );
}

/** `sha256:` and the first 12 hex digits: enough to tell specs apart on a page. */
function digestPrefix(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

/** Code-unit order: the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
