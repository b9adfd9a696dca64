// Runs the official JSON Schema Test Suite the way users meet validation: each test group's schema is a schema spec,
// a tool takes an input `v` of that schema, and each test's data is a plan step checked with `checkPlan`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnapshot, compileRegistry } from '../../src/build/buildSnapshot.js';
import { checkPlan } from '../../src/plan/checkPlan.js';
import { parsePlanFile } from '../../src/plan/planFile.js';
import { openStore } from '../../src/store/openStore.js';
import type { Diagnostic } from '../../src/errors.js';
import { sharedDir } from './cli.js';

export const suiteDir = join(sharedDir, 'corpus/json-schema-test-suite');

export const suiteDrafts = {
  draft4: 'http://json-schema.org/draft-04/schema#',
  draft6: 'http://json-schema.org/draft-06/schema#',
  draft7: 'http://json-schema.org/draft-07/schema#',
  'draft2019-09': 'https://json-schema.org/draft/2019-09/schema',
  'draft2020-12': 'https://json-schema.org/draft/2020-12/schema',
} as const;
export type SuiteDraft = keyof typeof suiteDrafts;

/**
 * What is left out: optional/ (behaviour the specification does not require), and format.json (`format` is an
 * annotation in 2019-09 and later, and an assertion we make on purpose: not agreement to measure).
 */
export const excludedFiles = new Set(['format.json']);

export interface SuiteGroup {
  file: string;
  index: number;
  description: string;
  schema: unknown;
  tests: { description: string; data: unknown; valid: boolean }[];
}

export type Outcome = 'agree' | 'falseAccept' | 'falseReject' | 'refused' | 'crash' | 'unexpressible';

export interface CaseResult {
  draft: SuiteDraft;
  file: string;
  group: string;
  test: string;
  valid: boolean;
  outcome: Outcome;
  /** The codes that refused the schema, failed the data, or the crash message. */
  detail?: string;
}

export function readSuiteGroups(draft: SuiteDraft): SuiteGroup[] {
  const dir = join(suiteDir, 'tests', draft);
  const groups: SuiteGroup[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !excludedFiles.has(name))
    .sort()) {
    const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      description: string;
      schema: unknown;
      tests: SuiteGroup['tests'];
    }[];
    parsed.forEach((group, index) =>
      groups.push({ file, index, description: group.description, schema: group.schema, tests: group.tests }),
    );
  }
  return groups;
}

/** The group's schema as a schema spec of `draft`: `$schema` added where the test leaves it to the runner. */
export function schemaForDraft(schema: unknown, draft: SuiteDraft): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema) || '$schema' in schema) return schema;
  return { $schema: suiteDrafts[draft], ...schema };
}

const slug = (file: string) =>
  file
    .replace(/\.json$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
export const schemaIdOf = (group: SuiteGroup) => `s.${slug(group.file)}.g${group.index}@1`;
export const toolIdOf = (group: SuiteGroup) => `t.${slug(group.file)}.g${group.index}@1`;
const fileOf = (group: SuiteGroup) => `${slug(group.file)}-g${group.index}.yaml`;

/** Writes the registry of these groups: one schema spec and one tool per group. */
export function writeSuiteRegistry(registry: string, groups: readonly SuiteGroup[], draft: SuiteDraft): void {
  mkdirSync(join(registry, 'schemas'), { recursive: true });
  mkdirSync(join(registry, 'tools'), { recursive: true });
  for (const group of groups) {
    writeFileSync(
      join(registry, 'schemas', fileOf(group)),
      `id: "${schemaIdOf(group)}"\nschema: ${JSON.stringify(schemaForDraft(group.schema, draft))}\n`,
    );
    writeFileSync(join(registry, 'tools', fileOf(group)), toolSpec(group));
  }
}

function toolSpec(group: SuiteGroup): string {
  const id = toolIdOf(group);
  return `id: "${id}"\nname: "${id}"\nadapter: "local"\nentry_point: "x"\ninputs:\n  - {name: "v", schema: "${schemaIdOf(group)}"}\n`;
}

/** A plan (JSON, which is YAML) with one step per test, each sending the test's data as `v`. */
export function suitePlan(snapshot: string, steps: { tool: string; data: unknown }[]): string {
  return JSON.stringify({
    plan: 'suite',
    snapshot,
    steps: steps.map((step, i) => ({ id: `t${i}`, processor_ref: step.tool, inputs: { v: step.data } })),
  });
}

/** Runs every case of a draft in-process (the library functions `spec build` and `spec plan check` call). */
export async function runSuiteDraft(draft: SuiteDraft, workDir: string): Promise<CaseResult[]> {
  const groups = readSuiteGroups(draft);
  const registry = join(workDir, draft, 'registry');
  writeSuiteRegistry(registry, groups, draft);
  const results: CaseResult[] = [];
  const base = (group: SuiteGroup, test: SuiteGroup['tests'][number]) => ({
    draft,
    file: group.file,
    group: group.description,
    test: test.description,
    valid: test.valid,
  });

  // Schemas the build refuses: their groups are out (refusing is never a false accept), the rest is built.
  let diagnostics: Diagnostic[] = [];
  try {
    await compileRegistry({ registry, useCache: false, threads: 1 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'INVALID_INPUT') throw error;
    diagnostics = (error as { diagnostics: Diagnostic[] }).diagnostics.filter((d) => d.severity === 'error');
  }
  const refusedBy = new Map<string, Set<string>>();
  for (const diagnostic of diagnostics) {
    const name = diagnostic.file!.split('/').pop()!;
    let codes = refusedBy.get(name);
    if (!codes) refusedBy.set(name, (codes = new Set()));
    codes.add(diagnostic.code);
  }
  const kept: SuiteGroup[] = [];
  for (const group of groups) {
    const codes = refusedBy.get(fileOf(group));
    if (!codes) {
      kept.push(group);
      continue;
    }
    rmSync(join(registry, 'schemas', fileOf(group)), { force: true });
    rmSync(join(registry, 'tools', fileOf(group)), { force: true });
    for (const test of group.tests)
      results.push({ ...base(group, test), outcome: 'refused', detail: [...codes].join(',') });
  }
  const store = await openStore({ directory: ':memory:' });
  try {
    if (kept.length === 0) return results;
    const { snapshot } = await buildSnapshot({ registry, store, useCache: false, threads: 1 });
    for (const group of kept) {
      const check = async (tests: SuiteGroup['tests']) => {
        const planFile = parsePlanFile(
          new TextEncoder().encode(
            suitePlan(
              snapshot,
              tests.map((test) => ({ tool: toolIdOf(group), data: test.data })),
            ),
          ),
          'plan.yaml',
        ).planFile;
        if (!planFile || planFile.diagnostics.length > 0) return undefined;
        return checkPlan(store, planFile);
      };
      let checked: Awaited<ReturnType<typeof checkPlan>> | undefined;
      try {
        checked = await check(group.tests);
      } catch {
        checked = undefined;
      }
      const perTest = checked
        ? group.tests.map((_, i) => ({
            i,
            diagnostics: checked!.diagnostics.filter(
              (d) => d.pointer?.startsWith(`/steps/${i}/`) || d.pointer === `/steps/${i}`,
            ),
          }))
        : undefined;
      for (const [i, test] of group.tests.entries()) {
        let failures: Diagnostic[];
        if (perTest) failures = perTest[i]!.diagnostics.filter((d) => d.severity === 'error');
        else {
          // The whole group's plan did not parse or crashed: each test alone says which.
          try {
            const alone = await check([test]);
            if (!alone) {
              results.push({ ...base(group, test), outcome: 'unexpressible' });
              continue;
            }
            failures = alone.diagnostics.filter((d) => d.severity === 'error');
          } catch (error) {
            results.push({
              ...base(group, test),
              outcome: 'crash',
              detail: String((error as Error).message).slice(0, 200),
            });
            continue;
          }
        }
        const accepted = failures.length === 0;
        const outcome: Outcome = accepted === test.valid ? 'agree' : accepted ? 'falseAccept' : 'falseReject';
        results.push({
          ...base(group, test),
          outcome,
          ...(failures.length > 0 ? { detail: [...new Set(failures.map((d) => d.code))].join(',') } : {}),
        });
      }
    }
  } finally {
    await store.close();
  }
  return results;
}

export interface DraftSummary {
  draft: SuiteDraft;
  total: number;
  agree: number;
  falseAccept: number;
  falseReject: number;
  refused: number;
  crash: number;
  unexpressible: number;
}

export function summarize(draft: SuiteDraft, results: readonly CaseResult[]): DraftSummary {
  const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
  return {
    draft,
    total: results.length,
    agree: count('agree'),
    falseAccept: count('falseAccept'),
    falseReject: count('falseReject'),
    refused: count('refused'),
    crash: count('crash'),
    unexpressible: count('unexpressible'),
  };
}

export const suitePresent = () => existsSync(join(suiteDir, 'tests'));
