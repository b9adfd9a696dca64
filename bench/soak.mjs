#!/usr/bin/env node
// `npm run soak`: many builds with small random edits into one store, through the library in this process; then
// verify and gc. Prints what a store costs and whether it stays sound. SOAK_BUILDS, SOAK_SPECS and SOAK_SEED override.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectGarbage, compileRegistry, openStore, storeSnapshot, verifyStore } from '../dist/index.js';
import { generateRegistry } from './mutableRegistry.mjs';

const builds = Number(process.env.SOAK_BUILDS ?? 1000);
const specCount = Number(process.env.SOAK_SPECS ?? 300);
const seed = Number(process.env.SOAK_SEED ?? 1);
const keepLast = 10;

const dir = mkdtempSync(join(tmpdir(), 'specstore-soak-'));
const registry = join(dir, 'registry');
const directory = join(dir, 'store');

function bytesOnDisk() {
  return readdirSync(directory).reduce((sum, name) => sum + statSync(join(directory, name)).size, 0);
}

const number = (value) => Math.round(value).toLocaleString('en');

async function figures(store) {
  const started = performance.now();
  const report = await verifyStore(store);
  return { report, verifyMs: performance.now() - started, disk: bytesOnDisk() };
}

function describe(label, { report, verifyMs, disk }) {
  const verdict = report.ok ? 'ok' : `${report.problems.length + report.problemsOmitted} PROBLEMS`;
  if (!report.ok) console.error(report.problems.slice(0, 10));
  return `${label.padEnd(24)} ${number(report.snapshots).padStart(6)} snapshots  verify ${verdict} (${number(verifyMs)} ms)  ${number(report.objects).padStart(7)} objects  ${number(report.objectBytes).padStart(11)} object bytes  ${number(disk).padStart(11)} bytes on disk`;
}

const generator = generateRegistry(registry, { specs: specCount, seed });
console.log(
  `soak: ${builds} builds of a ${generator.specs}-spec registry (1–3 files changed each), seed ${seed}, in ${dir}`,
);
const store = await openStore({ directory, create: true });
let failed;
try {
  let started = performance.now();
  const first = await storeSnapshot(store, await compileRegistry({ registry, store }));
  const firstMs = performance.now() - started;
  const afterFirst = bytesOnDisk();
  const afterFirstObjects = (await verifyStore(store)).objectBytes;
  let created = first.unchanged ? 0 : 1;
  started = performance.now();
  for (let i = 1; i < builds; i++) {
    generator.mutate();
    const result = await storeSnapshot(store, await compileRegistry({ registry, store }));
    if (!result.unchanged) created++;
    if (i % 100 === 0)
      process.stderr.write(`  ${i} builds, ${((performance.now() - started) / i).toFixed(1)} ms each\n`);
  }
  const buildMs = (performance.now() - started) / Math.max(1, builds - 1);
  const before = await figures(store);
  started = performance.now();
  const gc = await collectGarbage(store, { keepLast });
  const gcMs = performance.now() - started;
  const after = await figures(store);

  const perSnapshot = (total, base) => number((total - base) / Math.max(1, created - 1));
  console.log(
    `snapshots created: ${created} of ${builds} builds; first build ${number(firstMs)} ms, then ${buildMs.toFixed(1)} ms per build`,
  );
  console.log(describe('after the builds:', before));
  console.log(
    `${''.padEnd(24)} per new snapshot: ${perSnapshot(before.report.objectBytes, afterFirstObjects)} object bytes, ${perSnapshot(before.disk, afterFirst)} bytes on disk`,
  );
  console.log(
    `gc --keep-last ${keepLast}: removed ${number(gc.removed.snapshots.length)} snapshots and ${number(gc.removed.objects)} objects (${number(gc.removed.bytes)} bytes of keys and values) in ${number(gcMs)} ms; kept ${gc.kept.length}`,
  );
  console.log(describe('after gc:', after));
  failed = !before.report.ok || !after.report.ok || after.report.snapshots !== gc.kept.length;
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.error('soak FAILED: the store did not verify clean');
  process.exitCode = 1;
}
