// The public API is what src/index.ts exports: a change to it shows here, and every export says what it is for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './support/cli.js';

/** The runtime names of the public API, sorted (types are checked below, through the compiler). */
const expectedRuntimeExports = [
  'DistributionClient',
  'KindCatalog',
  'RegistryCatalog',
  'RegistryDrafts',
  'SnapshotView',
  'SpecCatalog',
  'SpecError',
  'SpecStore',
  'addRemote',
  'buildIntoStore',
  'buildSnapshot',
  'builtinKinds',
  'builtinPredicateEvaluators',
  'bundledRegistry',
  'canonicalBytes',
  'canonicalJson',
  'checkEditorSettings',
  'checkPlan',
  'collectGarbage',
  'compareRegistryWithSnapshot',
  'compareSchemas',
  'compareUpgrade',
  'compareVersions',
  'compileGitRevision',
  'compileRegistry',
  'createHttpAdapter',
  'createLocalAdapter',
  'createRunner',
  'createServeApp',
  'defaultDiffConfig',
  'defaultDiffConfigFile',
  'defaultRepackThresholds',
  'defaultStoreDirectory',
  'descriptorFromDefinition',
  'diffSnapshots',
  'digestBytes',
  'digestValue',
  'editorNames',
  'editorSchemaOf',
  'errorCatalogue',
  'errorCategoryOf',
  'exportSnapshot',
  'filePlanWriter',
  'fileSystemRoot',
  'findPlanFiles',
  'findPlanReferrers',
  'findRemote',
  'findSpecReferrers',
  'formatSnapshotDocument',
  'formatSpecFiles',
  'generateDocs',
  'gitRegistryRoot',
  'importSnapshot',
  'isDigest',
  'isSpecError',
  'kindDefinitionFormat',
  'kindDefinitionOf',
  'kindFileSchema',
  'lintRegistry',
  'lintRules',
  'listPublishedVersions',
  'listRemoteSnapshots',
  'listRemotes',
  'listRunRecords',
  'loadDiffConfig',
  'loadPluginAdapters',
  'loadRegistryKinds',
  'lockPlans',
  'memoryRoot',
  'modelsWithCapability',
  'ociManifestMediaType',
  'openCatalog',
  'openCompiledRegistry',
  'openRegistryCatalog',
  'openRegistryDrafts',
  'openSnapshot',
  'openStore',
  'originLabel',
  'parsePlanFile',
  'parseRef',
  'parseRemoteReference',
  'parseRemoteUrl',
  'parseSnapshotManifest',
  'parseSpecId',
  'parseVersion',
  'parseYamlSpec',
  'pinPlans',
  'pinSnapshot',
  'planReferences',
  'publishedSnapshots',
  'pullMissingSnapshots',
  'pullSnapshot',
  'pullSpec',
  'pushSnapshot',
  'readDiffConfig',
  'readPack',
  'readPlanDirectories',
  'readPlanFile',
  'readPlanFiles',
  'readRegistryConfig',
  'readRunRecord',
  'readSnapshotDocumentFile',
  'registryConfigFile',
  'registrySourceWithPlugins',
  'remoteClient',
  'removeRemote',
  'scaffoldRegistry',
  'setUpEditor',
  'snapshotArtifactType',
  'snapshotTag',
  'startServe',
  'storeSnapshot',
  'tagSnapshot',
  'upgradePlan',
  'verifyProblemCodes',
  'verifySnapshotDocument',
  'verifyStore',
  'writeDocs',
  'writeKindSchemas',
];

test('the runtime exports of src/index.ts are exactly the expected list (an API change is a visible change)', async () => {
  const api = (await import('../src/index.js')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(api).sort(), expectedRuntimeExports);
});

/** Every name src/index.ts exports, values and types, with whether it has a doc comment (on its declaration or in index.ts). */
function exportDocumentation(): Map<string, boolean> {
  const indexFile = join(repoRoot, 'src/index.ts');
  const program = ts.createProgram([indexFile], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexFile);
  assert.ok(source, 'src/index.ts is not in the program');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, 'src/index.ts is not a module');
  const documented = new Map<string, boolean>();
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const onDeclaration = ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '';
    const inIndex = (symbol.declarations ?? []).some(
      (declaration) => ts.getJSDocCommentsAndTags(declaration).length > 0 || hasLeadingDocComment(source, declaration),
    );
    documented.set(symbol.name, onDeclaration || inIndex);
  }
  return documented;
}

function hasLeadingDocComment(source: ts.SourceFile, node: ts.Node): boolean {
  return (ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? []).some((range) =>
    source.text.startsWith('/**', range.pos),
  );
}

test('every export of src/index.ts, value or type, has a doc comment', () => {
  const documented = exportDocumentation();
  assert.ok(documented.size > expectedRuntimeExports.length, `only ${documented.size} exports found`);
  assert.deepEqual(
    [...documented]
      .filter(([, has]) => !has)
      .map(([name]) => name)
      .sort(),
    [],
  );
});
