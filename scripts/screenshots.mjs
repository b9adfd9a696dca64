#!/usr/bin/env node
// Screenshots of the panel for the docs (`npm run screenshots`): `spec serve` over a temporary copy of the bundled
// registry and a temporary store, a second snapshot with a breaking change for the diff view, and Debian's chromium
// through playwright-core. Writes docs/images/panel-*.png. Imports dist/: run after `npm run build`.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildIntoStore, startServe } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'images');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`screenshots: no chromium at ${chromiumPath} (set CHROMIUM to another path)`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'specstore-screenshots-'));
const registry = join(dir, 'registry');
const store = join(dir, 'store');
cpSync(join(root, 'registry'), registry, { recursive: true, dereference: true });
const token = 'screenshots';
let server;
let browser;
try {
  const first = (await buildIntoStore({ registry, directory: store, cwd: dir, tag: 'release' })).snapshot;
  server = await startServe({ registry, store, host: '127.0.0.1', port: 0, token, cwd: dir });
  const write = async (method, path, body, contentType = 'application/json') => {
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  // A second version of a tool with a new required input (breaking), and a longer timeout (compatible).
  const v1 = readFileSync(join(registry, 'tools', 'web.search.yaml'), 'utf8');
  const v2 = v1
    .replace('id: "web.search@1"', 'id: "web.search@2"')
    .replace('timeout_s: 15', 'timeout_s: 30')
    .replace('inputs:\n', 'inputs:\n  - name: "region"\n    type: "string"\n    required: true\n');
  await write('POST', '/v1/registry/tools', v2, 'application/yaml');
  const second = (await write('POST', '/v1/build', { tag: 'next' })).snapshot;

  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-dev-shm-usage'] });
  mkdirSync(out, { recursive: true });
  const shoot = async ({ name, hash, viewport = { width: 1280, height: 800 }, before }) => {
    const context = await browser.newContext({ viewport, colorScheme: 'light', deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${server.url}#token=${token}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.waitForSelector('#main h1');
    await page.waitForLoadState('networkidle');
    if (before) await before(page);
    // No focus ring on the heading the view moved focus to, no blinking caret.
    await page.evaluate('document.activeElement?.blur?.()');
    const file = join(out, `panel-${name}.png`);
    await page.screenshot({ path: file });
    await context.close();
    console.log(`wrote ${file}`);
  };
  await shoot({ name: 'list', hash: '#/kind/tools' });
  await shoot({ name: 'spec', hash: '#/spec/agents/fraud@1' });
  await shoot({
    name: 'editor-error',
    hash: '#/edit/datasets/trailer.samples@1',
    before: async (page) => {
      await page.fill('#field-row_schema', 'media.metadta@1');
      await page.fill('#field-rows', '-5');
      await page.waitForSelector('#validation-status[data-state="invalid"]');
    },
  });
  await shoot({ name: 'diff', hash: `#/diff?from=${encodeURIComponent(first)}&to=${encodeURIComponent(second)}` });
  await shoot({ name: 'snapshots', hash: '#/snapshots' });
  await shoot({ name: 'phone', hash: '#/spec/tools/web.search@2', viewport: { width: 375, height: 812 } });
} finally {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
}
