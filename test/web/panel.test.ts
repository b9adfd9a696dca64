// The panel in a real browser against the real server: Debian's chromium driven by playwright-core, `startServe` over a
// temporary copy of the example registry and a store built from it. Nothing is mocked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildIntoStore, startServe } from '../../src/index.js';

const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true';
const exampleRegistry = join(import.meta.dirname, '..', '..', 'registry');

if (!haveChromium && inCi) {
  test('chromium is installed for the browser tests', () => {
    assert.fail(`${chromiumPath} is missing: the panel's browser tests cannot run (CI=true refuses to skip them)`);
  });
}

const skip = haveChromium ? false : `${chromiumPath} is missing: the panel's browser tests are skipped`;

describe('the web panel in chromium', { skip }, () => {
  let dir: string;
  let registry: string;
  let store: string;
  let server: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let firstSnapshot: string;
  const token = 'feedc0ffee0123456789abcdef012345';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'specstore-panel-'));
    registry = join(dir, 'registry');
    store = join(dir, 'store');
    cpSync(exampleRegistry, registry, { recursive: true, dereference: true });
    firstSnapshot = (await buildIntoStore({ registry, directory: store, cwd: dir })).snapshot;
    server = await startServe({ registry, store, host: '127.0.0.1', port: 0, token, cwd: dir });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--disable-dev-shm-usage'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What went wrong in the page: uncaught errors, and console errors other than the API's own 4xx answers. */
  interface Opened {
    page: Page;
    context: BrowserContext;
    errors: string[];
  }

  async function open(hash = '', viewport = { width: 1280, height: 800 }): Promise<Opened> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // A refused write is an answer the page shows; chromium logs every 4xx response as a console error.
      if (/the server responded with a status of 4\d\d/.test(message.text())) return;
      errors.push(`console: ${message.text()}`);
    });
    await page.goto(`${server.url}#token=${token}`);
    await page.waitForSelector('body[data-ready="true"]');
    if (hash) await go(page, hash);
    return { page, context, errors };
  }

  async function go(page: Page, hash: string): Promise<void> {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await until(page, `location.hash === ${JSON.stringify(hash)}`);
  }

  /**
   * Waits for an expression to be true in the page. Polled from here with page.evaluate: the panel's CSP has no
   * 'unsafe-eval', which playwright's waitForFunction needs for an expression, and the tests keep that CSP on.
   */
  async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await page.evaluate(expression))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${expression} (at ${page.url()})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function done({ context, errors }: Opened): Promise<void> {
    await context.close();
    assert.deepEqual(errors, [], 'the page logged errors');
  }

  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null };
  }

  test('smoke: playwright-core drives chromium, the panel loads, and the token leaves the address bar', async () => {
    // If this fails, the pair playwright-core + /usr/bin/chromium stopped working: every other test here depends on it.
    const opened = await open();
    const { page } = opened;
    assert.equal(await page.title(), 'specstore');
    assert.ok(!page.url().includes('token'), `the token stays in the URL: ${page.url()}`);
    assert.equal(await page.evaluate(`sessionStorage.getItem('specstore.token')`), token);
    // The first kind's tab is opened, with its list.
    await page.waitForSelector('#tabs [role="tab"][aria-selected="true"]');
    await page.waitForSelector('.spec-list .spec-item');
    await done(opened);
  });

  test('a tab per kind with its count, the user kind `datasets` among them, and arrow keys move between tabs', async () => {
    const opened = await open('#/kind/tools');
    const { page } = opened;
    const tabs = await page
      .locator('#tabs [role="tab"]')
      .evaluateAll((nodes) =>
        nodes.map((node) => (node as unknown as { dataset: Record<string, string> }).dataset['directory']),
      );
    for (const directory of ['tools', 'schemas', 'policies', 'predicates', 'prompts', 'models', 'agents', 'workflows'])
      assert.ok(tabs.includes(directory), `no tab for ${directory}`);
    assert.ok(tabs.includes('datasets'), 'no tab for the user kind datasets');
    const datasets = page.locator('#tabs [data-directory="datasets"]');
    assert.equal(await datasets.locator('.count').textContent(), '1');
    await datasets.click();
    await page.waitForSelector('.spec-item[data-id="trailer.samples@1"]');
    // Search and capability filter go to the server's list.
    await go(page, '#/kind/tools');
    await page.waitForSelector('.spec-item[data-id="web.search@1"]');
    await page.fill('#capability', 'search');
    await until(page, `document.querySelectorAll('.spec-item').length === 1`);
    assert.equal(await page.locator('.spec-item').getAttribute('data-id'), 'web.search@1');
    await page.fill('#capability', '');
    await page.fill('#search', 'caption');
    await until(
      page,
      `[...document.querySelectorAll('.spec-item')].map((item) => item.dataset.id).join() === 'image.caption@1.2.0'`,
    );
    assert.match(await page.evaluate('location.hash'), /[?&]q=caption/);
    // Keyboard: the selected tab is focusable, the arrow keys go to the next one.
    await page.focus('#tabs [aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    await until(page, `location.hash.startsWith('#/kind/schemas')`);
    // The hash is set at once; the tabs are redrawn when the hashchange event has been handled, which comes later.
    await until(page, `document.querySelector('#tabs [aria-selected="true"]')?.dataset.directory === 'schemas'`);
    assert.equal(await page.evaluate('document.activeElement?.dataset?.directory'), 'schemas');
    await done(opened);
  });

  test('create, validate as you type, edit, conflict, delete refused while in use, delete; markup stays text', async () => {
    const opened = await open('#/kind/datasets');
    const { page } = opened;
    const hostile = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2"><b>bold</b>';
    await page.click('#new-spec');
    await page.waitForSelector('#field-id');
    await page.fill('#field-id', 'eval.clips@1');
    await page.fill('#field-location', 's3://fixtures/eval-clips/');
    await page.fill('#field-description', hostile);
    // A reference to nothing: the dry run's diagnostic is shown next to its field.
    await page.fill('#field-row_schema', 'missing.schema@1');
    const rowError = page.locator('[data-field-error="row_schema"]');
    await rowError.getByText('missing.schema@1 is not defined').waitFor();
    assert.match((await rowError.textContent()) ?? '', /REF_NOT_FOUND/);
    assert.equal(await page.getAttribute('#field-row_schema', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#validation-status', 'data-state'), 'invalid');
    await page.fill('#field-row_schema', 'media.metadata@1');
    await page.waitForSelector('#validation-status[data-state="valid"]');
    assert.equal(await rowError.textContent(), '');
    await page.click('#save-button');
    await until(page, `location.hash === '#/spec/datasets/eval.clips%401'`);
    await page.waitForSelector('.spec-title');
    assert.equal(await page.textContent('.spec-title'), 'eval.clips@1');
    assert.ok(existsSync(join(registry, 'datasets', 'eval.clips.yaml')));
    // The description is text: no element was made of it, no script ran.
    const description = page.locator('[data-field="description"]');
    assert.equal(await description.textContent(), hostile);
    assert.equal(await description.locator('script, img, b').count(), 0);
    assert.equal(await page.evaluate('window.__owned'), undefined);
    // It references the schema (a link to it), and the user kind's count went up.
    await page.locator('#references a', { hasText: 'media.metadata@1' }).waitFor();
    await page.locator('#tabs [data-directory="datasets"] .count', { hasText: '2' }).waitFor();

    // Edit through the form.
    await page.click('#edit-link');
    await page.waitForSelector('#field-rows');
    await page.fill('#field-rows', '42');
    await page.waitForSelector('#validation-status[data-state="valid"]');
    await page.click('#save-button');
    await until(page, `location.hash === '#/spec/datasets/eval.clips%401'`);
    await page.locator('[data-field="rows"]', { hasText: '42' }).waitFor();
    assert.match(readFileSync(join(registry, 'datasets', 'eval.clips.yaml'), 'utf8'), /^rows: 42$/m);

    // A conflict: the page opened the editor, someone else changes the spec, the page's ETag is stale.
    await page.click('#edit-link');
    await page.waitForSelector('#field-rows');
    const current = await api('GET', '/v1/registry/datasets/eval.clips@1');
    const changed = await api(
      'PUT',
      '/v1/registry/datasets/eval.clips@1',
      { ...current.body.spec, description: 'changed elsewhere' },
      { 'if-match': current.etag! },
    );
    assert.equal(changed.status, 200);
    await page.fill('#field-rows', '43');
    await page.click('#save-button');
    const conflict = page.locator('.problem-conflict');
    await conflict.waitFor();
    assert.match((await conflict.textContent()) ?? '', /changed by someone else since you opened it/);
    assert.match((await conflict.textContent()) ?? '', /DRAFT_CHANGED/);
    assert.match(readFileSync(join(registry, 'datasets', 'eval.clips.yaml'), 'utf8'), /^rows: 42$/m);
    await page.click('#conflict-reload');
    await until(page, `document.querySelector('#field-description')?.value === 'changed elsewhere'`);
    assert.equal(await page.locator('.problem-conflict').count(), 0);

    // Delete refused while in use: the schema is used by the example data set and by the new one.
    await go(page, '#/spec/schemas/media.metadata@1');
    await page.waitForSelector('#delete-button');
    // Cancelling the dialog deletes nothing.
    await page.click('#delete-button');
    await page.click('#confirm-dialog button[value="cancel"]');
    assert.equal(await page.locator('#delete-result *').count(), 0);
    await page.click('#delete-button');
    await page.click('#confirm-ok');
    const inUse = page.locator('.problem-in-use');
    await inUse.waitFor();
    assert.match((await inUse.textContent()) ?? '', /SPEC_IN_USE/);
    const users = await page
      .locator('#used-by li')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')));
    assert.ok(users.includes('eval.clips@1'), `users: ${users.join(', ')}`);
    assert.ok(users.includes('trailer.samples@1'), `users: ${users.join(', ')}`);
    // The users are links to their spec pages.
    assert.equal(
      await page.locator('#used-by a', { hasText: 'eval.clips@1' }).getAttribute('href'),
      '#/spec/datasets/eval.clips%401',
    );
    assert.ok(existsSync(join(registry, 'schemas', 'media.metadata.yaml')));

    // Delete an unused spec: the new data set.
    await go(page, '#/spec/datasets/eval.clips@1');
    await page.waitForSelector('#delete-button');
    await page.click('#delete-button');
    await page.click('#confirm-ok');
    await until(page, `location.hash === '#/kind/datasets'`);
    await page.waitForSelector('.spec-item[data-id="trailer.samples@1"]');
    assert.equal(await page.locator('.spec-item[data-id="eval.clips@1"]').count(), 0);
    assert.ok(!existsSync(join(registry, 'datasets', 'eval.clips.yaml')));
    await page.locator('#tabs [data-directory="datasets"] .count', { hasText: '1' }).waitFor();
    await done(opened);
  });

  test('a protected spec: delete refused with SPEC_PROTECTED', async () => {
    writeFileSync(
      join(registry, 'prompts', 'keep.yaml'),
      'id: "keep@1"\nprotected: true\ntemplate: "Keep me."\ndescription: "A prompt nobody may delete."\n',
    );
    // The server sees the new file through its watch.
    const end = Date.now() + 10_000;
    while ((await api('GET', '/v1/registry/prompts/keep@1')).status !== 200) {
      assert.ok(Date.now() < end, 'the server never saw prompts/keep.yaml');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const opened = await open('#/spec/prompts/keep@1');
    const { page } = opened;
    await page.waitForSelector('#delete-button');
    assert.equal(await page.textContent('.view-head .badge'), 'protected');
    await page.click('#delete-button');
    await page.click('#confirm-ok');
    await page.locator('[data-code="SPEC_PROTECTED"]').waitFor();
    assert.ok(existsSync(join(registry, 'prompts', 'keep.yaml')));
    await done(opened);
  });

  test('the raw editor: a YAML error shown with its line; a new version created from YAML; build; diff', async () => {
    const opened = await open('#/new/tools');
    const { page } = opened;
    await page.click('#mode-raw');
    const raw = page.locator('#raw-editor');
    await raw.fill('id: "web.search@2"\nname: "Web Search"\nadapter: [http\n');
    await page.locator('#general-diagnostics .diag', { hasText: 'YAML_SYNTAX' }).waitFor();
    assert.match((await page.textContent('#general-diagnostics')) ?? '', /line \d+/);
    // web.search@2 needs a new required input: a breaking change from version 1.
    const v1 = readFileSync(join(registry, 'tools', 'web.search.yaml'), 'utf8');
    const v2 = v1
      .replace('id: "web.search@1"', 'id: "web.search@2"')
      .replace('inputs:\n', 'inputs:\n  - name: "region"\n    type: "string"\n    required: true\n');
    assert.notEqual(v2, v1);
    await raw.fill(v2);
    await page.waitForSelector('#validation-status[data-state="valid"]');
    await page.click('#save-button');
    await until(page, `location.hash === '#/spec/tools/web.search%402'`);
    await page.locator('#versions a', { hasText: 'web.search@1' }).waitFor();
    assert.ok(existsSync(join(registry, 'tools', 'web.search.v2.yaml')));

    // Build, with a tag: the page shows the snapshot id the store now has.
    await page.fill('#build-tag', 'panel-test');
    await page.click('#build-button');
    const result = page.locator('#build-result');
    await result.waitFor();
    const built = await result.getAttribute('data-snapshot');
    assert.match(built ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(built, firstSnapshot);
    assert.match((await result.textContent()) ?? '', new RegExp(built!));
    const tags = await api('GET', '/v1/tags');
    assert.equal(tags.body.tags.find((tag: { name: string }) => tag.name === 'panel-test')?.snapshot, built);
    const snapshots = await api('GET', '/v1/snapshots');
    assert.equal(snapshots.body.snapshots[0].id, built);

    // The snapshot browser lists both; its diff shows the breaking change first, with its rule id.
    await go(page, '#/snapshots');
    await page.waitForSelector(`#snapshot-table tr[data-snapshot="${built}"]`);
    await page.waitForSelector(`#snapshot-table tr[data-snapshot="${firstSnapshot}"]`);
    await page.click('#diff-compare');
    await page.waitForSelector('#diff-breaking');
    const report = await api('GET', `/v1/diff?from=${firstSnapshot}&to=${built}`);
    assert.equal(report.body.severity, 'breaking');
    const breakingRules = report.body.specs.flatMap((spec: { changes: { severity: string; rule: string }[] }) =>
      spec.changes.filter((change) => change.severity === 'breaking').map((change) => change.rule),
    );
    assert.ok(breakingRules.length > 0);
    const shown = await page
      .locator('#diff-breaking tr[data-rule]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-rule')));
    assert.deepEqual(shown.sort(), [...breakingRules].sort());
    assert.equal(await page.getAttribute('#diff-report', 'data-severity'), 'breaking');
    // The breaking section comes before the per-spec details.
    assert.ok(
      await page.evaluate(
        `!!(document.querySelector('#diff-breaking').compareDocumentPosition(document.querySelector('.diff-specs')) & Node.DOCUMENT_POSITION_FOLLOWING)`,
      ),
    );
    await page.locator('#diff-verdict .severity-breaking').waitFor();
    // The snapshot's own page lists its specs.
    await go(page, `#/snapshot/${encodeURIComponent(built!)}`);
    await page.waitForSelector('tr[data-id="web.search@2"]');
    await done(opened);
  });

  test('live updates: a file added on disk raises the count; a registry broken on disk shows a notice', async () => {
    const opened = await open('#/kind/datasets');
    const { page } = opened;
    await page.waitForSelector('.spec-item[data-id="trailer.samples@1"]');
    const before = String((await api('GET', '/v1/registry/datasets')).body.specs.length);
    const file = join(registry, 'datasets', 'live.yaml');
    writeFileSync(file, 'id: "live.rows@1"\nlocation: "s3://live/"\nrow_schema: "claim@1"\n');
    await page.waitForSelector('.spec-item[data-id="live.rows@1"]', { timeout: 10_000 });
    await until(
      page,
      `document.querySelector('#tabs [data-directory="datasets"] .count').textContent === '${Number(before) + 1}'`,
    );
    writeFileSync(file, 'id: "live.rows@1"\nlocation: "s3://live/"\nrow_schema: "nothing.here@1"\n');
    const notice = page.locator('[data-notice="registry-invalid"]');
    await notice.waitFor({ timeout: 10_000 });
    assert.match((await notice.textContent()) ?? '', /nothing\.here@1/);
    rmSync(file);
    await notice.waitFor({ state: 'detached', timeout: 10_000 });
    await until(page, `!document.querySelector('.spec-item[data-id="live.rows@1"]')`);
    await done(opened);
  });

  test('phone width: no horizontal overflow of the page or its main content', async () => {
    const opened = await open('', { width: 375, height: 740 });
    const { page } = opened;
    for (const hash of [
      '#/kind/tools',
      '#/spec/agents/fraud@1',
      '#/edit/tools/web.search@1',
      '#/snapshots',
      `#/diff?from=${encodeURIComponent(firstSnapshot)}&to=latest`,
    ]) {
      await go(page, hash);
      await page.waitForSelector('#main h1');
      await page.waitForTimeout(150);
      const sizes = (await page.evaluate(
        `({ page: document.documentElement.scrollWidth, viewport: window.innerWidth,
            main: document.querySelector('#main').scrollWidth, mainBox: document.querySelector('#main').clientWidth })`,
      )) as { page: number; viewport: number; main: number; mainBox: number };
      assert.ok(sizes.page <= sizes.viewport, `${hash}: the page is ${sizes.page}px wide in ${sizes.viewport}px`);
      assert.ok(sizes.main <= sizes.mainBox, `${hash}: main content is ${sizes.main}px wide in ${sizes.mainBox}px`);
    }
    await done(opened);
  });

  test('a read-only server: no write controls in the page', async () => {
    const readOnly = await startServe({ registry, store, host: '127.0.0.1', port: 0, readOnly: true, cwd: dir });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${readOnly.url}#/spec/tools/web.search@1`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.waitForSelector('.spec-title');
      assert.equal(await page.textContent('#mode-badge'), 'read-only');
      assert.ok(await page.isVisible('#mode-badge'));
      assert.equal(await page.locator('#delete-button, #edit-link').count(), 0);
      assert.ok(!(await page.isVisible('#build-form')));
      assert.ok(!(await page.isVisible('#token-form')));
      await page.evaluate(`location.hash = '#/kind/tools'`);
      await page.waitForSelector('.spec-item');
      assert.equal(await page.locator('#new-spec').count(), 0);
    } finally {
      await context.close();
      await readOnly.close();
    }
  });

  test('without a token in the URL the page asks for one', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]');
      assert.ok(await page.isVisible('#token-form'));
      await page.fill('#token-input', token);
      await page.click('#token-form button[type="submit"]');
      assert.ok(!(await page.isVisible('#token-form')));
      assert.equal(await page.evaluate(`sessionStorage.getItem('specstore.token')`), token);
    } finally {
      await context.close();
    }
  });
});
