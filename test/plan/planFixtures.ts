// Shared by the plan tests: small registries and plans written to temporary directories.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSnapshot } from '../../src/build/buildSnapshot.js';
import { openStore } from '../../src/store/openStore.js';
import type { SpecStore } from '../../src/store/specStore.js';
import { parsePlanFile, type PlanFile } from '../../src/plan/planFile.js';

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A tool spec with the given inputs (YAML flow text for each port). */
export function tool(id: string, inputs: string[] = [], outputs: string[] = [], extra = ''): string {
  const list = (name: string, ports: string[]) =>
    ports.length === 0 ? '' : `${name}:\n${ports.map((port) => `  - ${port}\n`).join('')}`;
  return `id: "${id}"\nname: "${id}"\nadapter: "local"\nentry_point: "x"\n${extra}${list('inputs', inputs)}${list('outputs', outputs)}`;
}

/** Builds `files` as a registry into a fresh in-memory store; returns the store and the snapshot id. */
export async function buildInMemory(
  root: string,
  files: Record<string, string>,
  store?: SpecStore,
): Promise<{ store: SpecStore; snapshot: string }> {
  writeFiles(root, files);
  const target = store ?? (await openStore({ directory: ':memory:' }));
  const { snapshot } = await buildSnapshot({ registry: root, store: target, useCache: false });
  return { store: target, snapshot };
}

export function plan(text: string, file = 'plan.yaml'): PlanFile {
  const { planFile, diagnostics } = parsePlanFile(new TextEncoder().encode(text), file);
  if (!planFile) throw new Error(`plan does not parse: ${JSON.stringify(diagnostics)}`);
  return planFile;
}

/** `code@line:column` of each diagnostic, for compact assertions. */
export function located(diagnostics: readonly { code: string; line?: number; column?: number }[]): string[] {
  return diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
}
