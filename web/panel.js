// The specstore panel: a page over `spec serve`'s HTTP API (docs/serve.md). Plain ES modules, no build step, nothing
// fetched from anywhere but the server. Every value from the API reaches the page through textContent or attributes,
// never through innerHTML, so a description holding markup stays text.

const tokenKey = 'specstore.token';
const severityOrder = ['breaking', 'unknown', 'warning', 'compatible'];
const validateDelayMs = 300;

const state = {
  info: null,
  writes: false,
  token: null,
  kinds: [],
  registryOk: true,
  /** A function the current view runs when the registry changes (null: nothing to refresh). */
  onRegistryChange: null,
  /** A function the current view runs when the store changes. */
  onStoreChange: null,
  /** Incremented on every navigation: work started for an older view is dropped. */
  generation: 0,
};

// ---------------------------------------------------------------------------------------------------------------------
// DOM helpers

/**
 * Creates an element. `props`: class, text, on (event handlers), and any other key as an attribute (a boolean true sets
 * it empty, false/null/undefined leaves it out). Children: nodes, strings (as text), arrays, and null/false (skipped).
 */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = String(value);
    else if (key === 'on')
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    else if (key === 'value') element.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'readOnly') element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

const $ = (selector, root = document) => root.querySelector(selector);

function clear(element) {
  element.replaceChildren();
  return element;
}

/** A digest shortened for reading, the whole of it in the title and in `data-digest`. */
function digestCode(digest) {
  if (typeof digest !== 'string') return h('code', { text: '—' });
  const short = /^sha256:[0-9a-f]{64}$/.test(digest) ? `${digest.slice(0, 19)}…` : digest;
  return h('code', { class: 'digest', title: digest, 'data-digest': digest, text: short });
}

function formatTime(value) {
  if (typeof value !== 'string') return '';
  return value.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function debounce(fn, ms) {
  let timer;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}

// ---------------------------------------------------------------------------------------------------------------------
// The API

/**
 * One request. Resolves (never rejects) to { ok, status, data, etag, problem }: `problem` is the RFC 9457 body of an
 * error (or one made up for a network failure), `data` the parsed JSON of a success.
 */
async function api(method, path, { body, contentType, ifMatch, write = false, signal, cache } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (write && state.token) headers.Authorization = `Bearer ${state.token}`;
  if (ifMatch) headers['If-Match'] = ifMatch;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string') {
      payload = body;
      headers['Content-Type'] = contentType ?? 'application/yaml';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal, cache: cache ?? 'no-store' });
  } catch (error) {
    if (error?.name === 'AbortError') return { ok: false, aborted: true, status: 0, problem: null };
    return {
      ok: false,
      status: 0,
      problem: { code: 'NETWORK', title: 'The server did not answer', detail: String(error?.message ?? error) },
    };
  }
  const etag = response.headers.get('ETag');
  const text = await response.text().catch(() => '');
  let json = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (response.ok) return { ok: true, status: response.status, data: json, etag, headers: response.headers };
  const problem =
    json && typeof json === 'object'
      ? json
      : { code: `HTTP_${response.status}`, title: response.statusText || `HTTP ${response.status}`, detail: text };
  return { ok: false, status: response.status, problem, etag };
}

const enc = encodeURIComponent;

/**
 * Where each draft is: id → directory, and name → its ids, from the lists of every kind. References name specs by ref
 * only (no kind), so linking them needs it. Dropped on every registry event.
 */
async function draftIndex() {
  if (!state.index) {
    state.index = (async () => {
      const byId = new Map();
      const byName = new Map();
      const lists = await Promise.all(
        state.kinds.map(async (kind) => ({ kind, result: await api('GET', `/v1/registry/${enc(kind.directory)}`) })),
      );
      for (const { kind, result } of lists) {
        for (const spec of result.ok && Array.isArray(result.data?.specs) ? result.data.specs : []) {
          byId.set(spec.id, kind.directory);
          const name = spec.name ?? String(spec.id).split('@')[0];
          byName.set(name, [...(byName.get(name) ?? []), { id: spec.id, directory: kind.directory }]);
        }
      }
      return { byId, byName };
    })();
  }
  return state.index;
}

/** The draft a ref names: an exact id, or else (a bare name, a range) the last listed version of its name. */
function lookupRef(index, ref) {
  if (typeof ref !== 'string') return undefined;
  const directory = index.byId.get(ref);
  if (directory) return { id: ref, directory };
  const versions = index.byName.get(ref.split('@')[0]);
  return versions?.[versions.length - 1];
}

function directoryOfKind(kindName) {
  return state.kinds.find((kind) => kind.name === kindName)?.directory;
}

function kindByDirectory(directory) {
  return state.kinds.find((kind) => kind.directory === directory);
}

// ---------------------------------------------------------------------------------------------------------------------
// Notices and problems

function notify(kind, content, { timeout = 0, id } = {}) {
  const area = $('#notices');
  if (id) $(`[data-notice="${id}"]`, area)?.remove();
  const notice = h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-notice': id },
    h('div', { class: 'notice-body' }, content),
    h('button', {
      type: 'button',
      class: 'notice-close',
      'aria-label': 'Dismiss',
      text: '×',
      on: { click: () => notice.remove() },
    }),
  );
  area.append(notice);
  if (timeout > 0) setTimeout(() => notice.remove(), timeout);
  return notice;
}

function dismissNotice(id) {
  $(`#notices [data-notice="${id}"]`)?.remove();
}

/** The diagnostics of a problem as a list: file, position, message and code. */
function diagnosticList(diagnostics, { onPick } = {}) {
  if (!Array.isArray(diagnostics) || diagnostics.length === 0) return null;
  return h(
    'ul',
    { class: 'diagnostics' },
    diagnostics.map((diagnostic) => {
      const where = [
        diagnostic.file,
        diagnostic.line !== undefined
          ? `line ${diagnostic.line}${diagnostic.column !== undefined ? `, column ${diagnostic.column}` : ''}`
          : null,
        diagnostic.pointer ? diagnostic.pointer : null,
      ].filter(Boolean);
      const label = h(
        'span',
        {},
        where.length ? h('span', { class: 'diag-where', text: where.join(' · ') }) : null,
        h('span', { class: 'diag-message', text: diagnostic.message ?? '' }),
        diagnostic.code ? h('code', { class: 'diag-code', text: diagnostic.code }) : null,
      );
      return h(
        'li',
        { class: `diag diag-${diagnostic.severity ?? 'error'}` },
        onPick && diagnostic.line !== undefined
          ? h('button', { type: 'button', class: 'link-button', on: { click: () => onPick(diagnostic) } }, label)
          : label,
      );
    }),
  );
}

/** A problem+json body as a block: title or code, detail, diagnostics. */
function problemBlock(problem, { heading } = {}) {
  return h(
    'div',
    { class: 'problem', 'data-code': problem?.code ?? '' },
    h(
      'p',
      { class: 'problem-title' },
      h('strong', { text: heading ?? problem?.title ?? 'Error' }),
      ' ',
      problem?.code && problem.code !== (heading ?? problem?.title) ? h('code', { text: problem.code }) : null,
    ),
    problem?.detail ? h('p', { class: 'problem-detail', text: problem.detail }) : null,
    diagnosticList(problem?.diagnostics),
  );
}

function showProblem(problem, heading) {
  if (problem?.status === 401 || problem?.code === 'SERVE_UNAUTHORIZED') showTokenForm(true);
  return notify('error', problemBlock(problem, { heading }));
}

// ---------------------------------------------------------------------------------------------------------------------
// The token

function readTokenFromHash() {
  const match = /^#token=([^&]*)/.exec(location.hash);
  if (match) {
    const token = decodeURIComponent(match[1]);
    if (token) sessionStorage.setItem(tokenKey, token);
    // The token leaves the address bar (and the history entry) at once.
    history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  state.token = sessionStorage.getItem(tokenKey);
}

function showTokenForm(force = false) {
  const form = $('#token-form');
  const known = $('#token-state');
  if (!state.writes) {
    form.hidden = true;
    known.hidden = true;
    return;
  }
  form.hidden = Boolean(state.token) && !force;
  known.hidden = !state.token || force;
}

function setupToken() {
  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('#token-input').value.trim();
    if (!value) return;
    state.token = value;
    sessionStorage.setItem(tokenKey, value);
    $('#token-input').value = '';
    showTokenForm();
    notify('success', 'Write token set for this tab.', { timeout: 4000 });
  });
  $('#token-forget').addEventListener('click', () => {
    state.token = null;
    sessionStorage.removeItem(tokenKey);
    showTokenForm();
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Tabs

const extraTabs = [
  { id: 'snapshots', label: 'Snapshots', href: '#/snapshots' },
  { id: 'diff', label: 'Diff', href: '#/diff' },
];

function renderTabs(activeId) {
  // Redrawing replaces the tab elements: a keyboard user's focus must stay on the tab list, not fall to the page.
  const focusedId = $('#tabs').contains(document.activeElement) ? document.activeElement.id : null;
  const list = clear($('#tabs'));
  const tabs = [
    ...state.kinds.map((kind) => ({
      id: `kind-${kind.directory}`,
      label: kind.directory,
      title: kind.summary,
      count: kind.count,
      href: `#/kind/${enc(kind.directory)}`,
      directory: kind.directory,
    })),
    ...extraTabs,
  ];
  for (const tab of tabs) {
    const selected = tab.id === activeId;
    list.append(
      h(
        'a',
        {
          role: 'tab',
          id: `tab-${tab.id}`,
          href: tab.href,
          class: 'tab',
          title: tab.title,
          'aria-selected': selected ? 'true' : 'false',
          'aria-controls': 'main',
          tabindex: selected || (!activeId && tab === tabs[0]) ? '0' : '-1',
          'data-directory': tab.directory,
        },
        h('span', { class: 'tab-label', text: tab.label }),
        tab.count !== undefined
          ? h('span', { class: 'count', 'aria-label': `${tab.count} specs`, text: tab.count })
          : null,
      ),
    );
  }
  $('#main').setAttribute('aria-labelledby', activeId ? `tab-${activeId}` : '');
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function setupTabKeys() {
  $('#tabs').addEventListener('keydown', (event) => {
    const tabs = [...$('#tabs').querySelectorAll('[role="tab"]')];
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    let next;
    if (event.key === 'ArrowRight') next = tabs[(index + 1) % tabs.length];
    else if (event.key === 'ArrowLeft') next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === 'Home') next = tabs[0];
    else if (event.key === 'End') next = tabs[tabs.length - 1];
    else if (event.key === ' ') next = tabs[index];
    if (!next) return;
    event.preventDefault();
    for (const tab of tabs) tab.tabIndex = tab === next ? 0 : -1;
    next.focus();
    if (location.hash !== next.getAttribute('href')) location.hash = next.getAttribute('href');
  });
}

async function loadKinds() {
  const result = await api('GET', '/v1/registry');
  if (!result.ok) {
    showProblem(result.problem, 'Could not read the registry');
    return false;
  }
  state.kinds = Array.isArray(result.data?.kinds) ? result.data.kinds : [];
  state.index = null;
  showRegistryHealth(result.data);
  return true;
}

function showRegistryHealth(data) {
  state.registryOk = data?.ok !== false;
  if (state.registryOk) {
    dismissNotice('registry-invalid');
    return;
  }
  notify(
    'warning',
    [
      h(
        'p',
        {},
        h('strong', { text: 'The registry on disk is invalid.' }),
        ' The server keeps serving its last good state.',
      ),
      data?.error
        ? h('p', {}, h('code', { text: data.error.code ?? '' }), ' ', data.error.message ?? data.error.detail ?? '')
        : null,
      diagnosticList(data?.diagnostics),
    ],
    { id: 'registry-invalid' },
  );
}

/** Re-reads the kinds (their counts) and redraws the tabs, keeping the selection. */
async function refreshKinds() {
  if (!(await loadKinds())) return;
  const active = $('#tabs [aria-selected="true"]')?.id?.replace(/^tab-/, '');
  renderTabs(active);
}

// ---------------------------------------------------------------------------------------------------------------------
// Routing: #/kind/DIR, #/spec/DIR/ID, #/edit/DIR/ID, #/new/DIR, #/snapshots, #/snapshot/SEL, #/diff?from=&to=

function parseRoute() {
  const hash = location.hash.replace(/^#/, '');
  const [path, query = ''] = hash.split('?');
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  return { parts, params: new URLSearchParams(query) };
}

function setQuery(params) {
  const { parts } = parseRoute();
  const query = params.toString();
  const hash = `#/${parts.map(enc).join('/')}${query ? `?${query}` : ''}`;
  history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

async function route() {
  const generation = ++state.generation;
  state.onRegistryChange = null;
  state.onStoreChange = null;
  const { parts, params } = parseRoute();
  const main = clear($('#main'));
  const [view, a, b] = parts;
  const current = () => generation === state.generation;
  if (!view) {
    const first = state.kinds[0];
    if (first) location.replace(`#/kind/${enc(first.directory)}`);
    else main.append(h('p', { text: 'This registry has no kinds.' }));
    return;
  }
  if (view === 'kind' || view === 'spec' || view === 'edit' || view === 'new') {
    const kind = kindByDirectory(a);
    renderTabs(kind ? `kind-${kind.directory}` : undefined);
    if (!kind) {
      main.append(h('h1', { text: 'Unknown kind' }), h('p', { text: `No kind has the directory “${a}”.` }));
      return;
    }
    if (view === 'kind') return listView(main, kind, params, current);
    if (view === 'spec') return specView(main, kind, b, current);
    if (view === 'edit') return editorView(main, kind, b, current);
    return editorView(main, kind, undefined, current);
  }
  if (view === 'snapshots') {
    renderTabs('snapshots');
    return snapshotsView(main, current);
  }
  if (view === 'snapshot') {
    renderTabs('snapshots');
    return parts[2] === 'spec' ? snapshotSpecView(main, a, parts[3], current) : snapshotView(main, a, params, current);
  }
  if (view === 'diff') {
    renderTabs('diff');
    return diffView(main, params, current);
  }
  renderTabs(undefined);
  main.append(h('h1', { text: 'Not found' }), h('p', {}, h('a', { href: '#/', text: 'Back to the registry' })));
}

/** The current view again, with fresh data, leaving focus alone. */
async function redraw() {
  state.redrawing = true;
  try {
    await route();
  } finally {
    state.redrawing = false;
  }
}

function focusMain() {
  // Moving focus to the new view helps keyboard and screen-reader users; not when a control in the header has it, and
  // not when the view is only redrawn because the data changed (focus stays where the reader is).
  const heading = $('#main h1');
  if (state.redrawing) return;
  if (heading && !document.activeElement?.closest?.('header, #tabs')) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// A kind's list

async function listView(main, kind, params, current) {
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  const search = h('input', {
    type: 'search',
    id: 'search',
    name: 'q',
    placeholder: 'Search ids and descriptions',
    value: params.get('q') ?? '',
    autocomplete: 'off',
  });
  const capability = h('input', {
    type: 'text',
    id: 'capability',
    name: 'capability',
    placeholder: 'e.g. search',
    value: params.get('capability') ?? '',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  main.append(
    h(
      'div',
      { class: 'view-head' },
      h('div', {}, h('h1', { text: kind.directory }), h('p', { class: 'muted', text: kind.summary ?? '' })),
      state.writes
        ? h('a', {
            class: 'button primary',
            id: 'new-spec',
            href: `#/new/${enc(kind.directory)}`,
            text: `New ${kind.name}`,
          })
        : null,
    ),
    h(
      'form',
      { class: 'filters', role: 'search', on: { submit: (event) => event.preventDefault() } },
      h('div', { class: 'field' }, h('label', { for: 'search', text: 'Search' }), search),
      kind.capabilities === false
        ? null
        : h('div', { class: 'field' }, h('label', { for: 'capability', text: 'Capability' }), capability),
    ),
    results,
  );
  let controller;
  const load = async () => {
    controller?.abort();
    controller = new AbortController();
    const query = new URLSearchParams();
    if (search.value.trim()) query.set('q', search.value.trim());
    if (capability.value.trim()) query.set('capability', capability.value.trim());
    setQuery(query);
    const result = await api('GET', `/v1/registry/${enc(kind.directory)}${query.size ? `?${query}` : ''}`, {
      signal: controller.signal,
    });
    if (result.aborted || !current()) return;
    clear(results);
    if (!result.ok) {
      results.append(problemBlock(result.problem));
      return;
    }
    const specs = Array.isArray(result.data?.specs) ? result.data.specs : [];
    const filtered = query.size > 0;
    results.append(
      h('p', { class: 'muted result-count', text: `${plural(specs.length, 'spec')}${filtered ? ' match' : ''}` }),
    );
    if (specs.length === 0) {
      results.append(h('p', { class: 'empty', text: filtered ? 'Nothing matches.' : `No ${kind.directory} yet.` }));
      return;
    }
    results.append(
      h(
        'ul',
        { class: 'spec-list' },
        specs.map((spec) =>
          h(
            'li',
            { class: 'spec-item', 'data-id': spec.id },
            h(
              'div',
              { class: 'spec-item-head' },
              h('a', { href: `#/spec/${enc(kind.directory)}/${enc(spec.id)}`, class: 'spec-id', text: spec.id }),
              digestCode(spec.digest),
            ),
            spec.description ? h('p', { class: 'spec-description', text: spec.description }) : null,
            spec.file ? h('p', { class: 'muted small file', text: spec.file }) : null,
          ),
        ),
      ),
    );
  };
  const later = debounce(load, 200);
  search.addEventListener('input', later);
  capability.addEventListener('input', later);
  state.onRegistryChange = load;
  await load();
  if (current()) focusMain();
}

// ---------------------------------------------------------------------------------------------------------------------
// A spec

/** What a reference or referrer item points at: { id, kind } from the shapes the API gives (strings or objects). */
function target(item) {
  if (typeof item === 'string') return { id: item };
  if (!item || typeof item !== 'object') return { id: String(item) };
  const id = item.id ?? item.target ?? item.ref ?? item.name ?? item.file ?? JSON.stringify(item);
  return {
    id: typeof id === 'string' ? id : JSON.stringify(id),
    kind: item.kind,
    pointer: item.pointer,
    via: item.via,
  };
}

function specLink(item, index) {
  const { id, kind, pointer, via } = target(item);
  const found = kind ? { id, directory: directoryOfKind(kind) } : index ? lookupRef(index, id) : undefined;
  return h(
    'li',
    { 'data-id': id },
    found?.directory
      ? h('a', { href: `#/spec/${enc(found.directory)}/${enc(found.id)}`, text: id })
      : h('code', { text: id }),
    kind ? h('span', { class: 'muted', text: ` (${kind})` }) : null,
    pointer ? h('span', { class: 'muted small', text: ` at ${pointer}` }) : null,
    via && via !== kind
      ? h('span', { class: 'muted small', text: ` via ${typeof via === 'string' ? via : JSON.stringify(via)}` })
      : null,
  );
}

function valueView(value) {
  if (value === null || typeof value !== 'object') {
    return h('span', {
      class: `value value-${value === null ? 'null' : typeof value}`,
      text: value === null ? 'null' : String(value),
    });
  }
  return h('pre', { class: 'value value-json', text: JSON.stringify(value, null, 2) });
}

async function specView(main, kind, id, current) {
  const [result, index] = await Promise.all([
    api('GET', `/v1/registry/${enc(kind.directory)}/${enc(id)}`),
    draftIndex(),
  ]);
  if (!current()) return;
  if (!result.ok) {
    main.append(h('h1', { text: id }), problemBlock(result.problem));
    return;
  }
  const spec = result.data;
  const etag = result.etag ?? (spec.digest ? `"${spec.digest}"` : undefined);
  const deleteArea = h('div', { id: 'delete-result', 'aria-live': 'polite' });
  const actions = state.writes
    ? h(
        'div',
        { class: 'actions' },
        h('a', {
          class: 'button',
          id: 'edit-link',
          href: `#/edit/${enc(kind.directory)}/${enc(spec.id)}`,
          text: 'Edit',
        }),
        h('button', {
          type: 'button',
          class: 'danger',
          id: 'delete-button',
          text: 'Delete…',
          on: { click: () => deleteSpec(kind, spec, etag, deleteArea) },
        }),
      )
    : null;
  const fields = spec.spec && typeof spec.spec === 'object' ? Object.entries(spec.spec) : [];
  const references = Array.isArray(spec.references) ? spec.references : [];
  const referrerSpecs = Array.isArray(spec.referrers?.specs) ? spec.referrers.specs : [];
  const referrerPlans = Array.isArray(spec.referrers?.plans) ? spec.referrers.plans : [];
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  main.append(
    h(
      'div',
      { class: 'view-head' },
      h(
        'div',
        {},
        h('p', { class: 'crumbs' }, h('a', { href: `#/kind/${enc(kind.directory)}`, text: kind.directory }), ' /'),
        h('h1', { class: 'spec-title', text: spec.id }),
        spec.protected ? h('span', { class: 'badge', text: 'protected' }) : null,
      ),
      actions,
    ),
    deleteArea,
    h(
      'dl',
      { class: 'meta' },
      h('dt', { text: 'Kind' }),
      h('dd', { text: spec.kind ?? kind.name }),
      h('dt', { text: 'Digest' }),
      h('dd', {}, h('code', { class: 'digest full', id: 'spec-digest', text: spec.digest ?? '' })),
      h('dt', { text: 'File' }),
      h('dd', {}, h('code', { text: spec.file ?? '' })),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'fields-h' },
      h('h2', { id: 'fields-h', text: 'Fields' }),
      h(
        'dl',
        { class: 'fields' },
        fields.map(([key, value]) => [h('dt', { text: key }), h('dd', { 'data-field': key }, valueView(value))]),
      ),
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'refs-h' },
        h('h2', { id: 'refs-h', text: 'References' }),
        references.length
          ? h(
              'ul',
              { class: 'link-list', id: 'references' },
              references.map((reference) => specLink(reference, index)),
            )
          : h('p', { class: 'muted', text: 'It references no other spec.' }),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'referrers-h' },
        h('h2', { id: 'referrers-h', text: 'Referenced by' }),
        referrerSpecs.length || referrerPlans.length
          ? h(
              'ul',
              { class: 'link-list', id: 'referrers' },
              referrerSpecs.map((referrer) => specLink(referrer)),
              referrerPlans.map(planItem),
            )
          : h('p', { class: 'muted', text: 'Nothing references it.' }),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'versions-h' },
        h('h2', { id: 'versions-h', text: 'Versions' }),
        versions.length
          ? h(
              'ul',
              { class: 'link-list', id: 'versions' },
              versions.map((version) => {
                const versionId = typeof version === 'string' ? version : (version?.id ?? String(version?.version));
                const fullId = versionId.includes('@') ? versionId : `${String(spec.id).split('@')[0]}@${versionId}`;
                return h(
                  'li',
                  {},
                  fullId === spec.id
                    ? h('span', { 'aria-current': 'page', text: `${fullId} (this one)` })
                    : h('a', { href: `#/spec/${enc(kind.directory)}/${enc(fullId)}`, text: fullId }),
                );
              }),
            )
          : h('p', { class: 'muted', text: 'Only this version.' }),
      ),
    ),
    typeof spec.text === 'string'
      ? h(
          'details',
          { class: 'card source' },
          h('summary', { text: `Source (${spec.file ?? 'file'})` }),
          h('pre', { class: 'source-text', text: spec.text }),
        )
      : null,
  );
  const related = new Set([
    spec.id,
    ...versions,
    ...references.map((reference) => target(reference).id),
    ...referrerSpecs.map((referrer) => target(referrer).id),
  ]);
  state.onRegistryChange = async (event) => {
    // Redraw with what is on disk now when it concerns this spec (a new spec may reference it), unless a delete
    // result is being shown.
    const touched = [...(event?.modified ?? []), ...(event?.removed ?? [])].some((changed) => related.has(changed));
    if (deleteArea.childElementCount === 0 && (touched || (event?.added ?? []).length > 0)) await redraw();
  };
  focusMain();
}

function planItem(plan) {
  const label =
    typeof plan === 'string'
      ? plan
      : [
          plan?.file ?? plan?.plan ?? plan?.name ?? JSON.stringify(plan),
          plan?.step ? `step ${plan.step}` : null,
          plan?.pointer,
        ]
          .filter(Boolean)
          .join(' · ');
  return h(
    'li',
    { class: 'plan', 'data-plan': label },
    h('span', { class: 'badge badge-plan', text: 'plan' }),
    ' ',
    h('code', { text: label }),
  );
}

function confirmDialog(text, okLabel) {
  const dialog = $('#confirm-dialog');
  $('#confirm-title').textContent = okLabel;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('button[value="cancel"]', dialog).focus();
  });
}

async function deleteSpec(kind, spec, etag, area) {
  const sure = await confirmDialog(
    `Delete ${spec.id}? Its file ${spec.file ?? ''} is removed from the registry. Snapshots already built keep it.`,
    'Delete',
  );
  if (!sure) return;
  clear(area);
  const result = await api('DELETE', `/v1/registry/${enc(kind.directory)}/${enc(spec.id)}`, {
    write: true,
    ifMatch: etag,
  });
  if (result.ok) {
    notify('success', `Deleted ${spec.id}.`, { timeout: 8000 });
    location.hash = `#/kind/${enc(kind.directory)}`;
    return;
  }
  const problem = result.problem ?? {};
  if (problem.code === 'SPEC_IN_USE') {
    const usedBy = problem.data?.usedBy ?? {};
    const specs = Array.isArray(usedBy.specs) ? usedBy.specs : [];
    const plans = Array.isArray(usedBy.plans) ? usedBy.plans : [];
    area.append(
      h(
        'div',
        { class: 'problem problem-in-use', role: 'alert', 'data-code': 'SPEC_IN_USE' },
        h(
          'p',
          {},
          h('strong', { text: `Not deleted: ${spec.id} is in use.` }),
          ' ',
          h('code', { text: 'SPEC_IN_USE' }),
        ),
        problem.detail ? h('p', { class: 'problem-detail', text: problem.detail }) : null,
        specs.length || plans.length
          ? h(
              'ul',
              { class: 'link-list', id: 'used-by' },
              specs.map((user) => specLink(user)),
              plans.map(planItem),
            )
          : null,
      ),
    );
  } else if (problem.code === 'SPEC_PROTECTED') {
    area.append(
      h(
        'div',
        { class: 'problem', role: 'alert', 'data-code': 'SPEC_PROTECTED' },
        h(
          'p',
          {},
          h('strong', { text: `Not deleted: ${spec.id} is protected.` }),
          ' ',
          h('code', { text: 'SPEC_PROTECTED' }),
        ),
        problem.detail ? h('p', { class: 'problem-detail', text: problem.detail }) : null,
      ),
    );
  } else if (problem.code === 'DRAFT_CHANGED' || result.status === 412) {
    area.append(conflictBlock(() => route()));
  } else {
    area.append(h('div', { role: 'alert' }, problemBlock(problem, { heading: 'Not deleted' })));
    if (result.status === 401) showTokenForm(true);
  }
}

function conflictBlock(onReload, extra) {
  return h(
    'div',
    { class: 'problem problem-conflict', role: 'alert', 'data-code': 'DRAFT_CHANGED' },
    h(
      'p',
      {},
      h('strong', { text: 'This spec was changed by someone else since you opened it.' }),
      ' ',
      h('code', { text: 'DRAFT_CHANGED' }),
    ),
    h('p', {
      text: extra ?? 'Nothing was written. Reload to see the current version (your edits here are discarded).',
    }),
    h('button', {
      type: 'button',
      class: 'primary',
      id: 'conflict-reload',
      text: 'Reload the current version',
      on: { click: onReload },
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// The editor: a form from the kind's JSON Schema where it is simple, and the raw YAML/JSON text always

/** How a top-level property can be edited in the form, or null when only the raw editor can. */
function simpleField(schema) {
  if (!schema || typeof schema !== 'object') return null;
  if (
    Array.isArray(schema.enum) &&
    schema.enum.length > 0 &&
    schema.enum.every((v) => v === null || typeof v !== 'object')
  )
    return { type: 'enum', values: schema.enum };
  if (['string', 'number', 'integer', 'boolean'].includes(schema.type)) return { type: schema.type };
  return null;
}

function formFields(kindSchema) {
  const properties = kindSchema && typeof kindSchema === 'object' ? kindSchema.properties : undefined;
  if (!properties || typeof properties !== 'object') return { simple: [], other: [] };
  const required = new Set(Array.isArray(kindSchema.required) ? kindSchema.required : []);
  const simple = [];
  const other = [];
  for (const [key, schema] of Object.entries(properties)) {
    const field = simpleField(schema);
    if (field) simple.push({ key, ...field, required: required.has(key), schema });
    else other.push(key);
  }
  return { simple, other };
}

/** A first draft of a new spec's text: its required fields. */
function newSpecTemplate(kind) {
  const schema = kind.schema ?? {};
  const required = Array.isArray(schema.required) ? schema.required : ['id'];
  const lines = [`# A new ${kind.name}.`];
  for (const key of required) {
    const property = schema.properties?.[key] ?? {};
    if (key === 'id') lines.push('id: "name@1"');
    else if (property.type === 'array') lines.push(`${key}: []`);
    else if (property.type === 'object') lines.push(`${key}: {}`);
    else if (property.type === 'integer' || property.type === 'number') lines.push(`${key}: 0`);
    else if (property.type === 'boolean') lines.push(`${key}: false`);
    else if (Array.isArray(property.enum)) lines.push(`${key}: ${JSON.stringify(property.enum[0])}`);
    else lines.push(`${key}: ""`);
  }
  return `${lines.join('\n')}\n`;
}

function pointerKey(pointer) {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) return undefined;
  return pointer.split('/')[1].replace(/~1/g, '/').replace(/~0/g, '~');
}

function positionOf(text, line, column) {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  return Math.min(text.length, offset + Math.max(0, (column ?? 1) - 1));
}

async function editorView(main, kind, id, current) {
  const creating = id === undefined;
  let original = { spec: {}, text: newSpecTemplate(kind), etag: undefined, file: undefined };
  if (!creating) {
    const result = await api('GET', `/v1/registry/${enc(kind.directory)}/${enc(id)}`);
    if (!current()) return;
    if (!result.ok) {
      main.append(h('h1', { text: `Edit ${id}` }), problemBlock(result.problem));
      return;
    }
    original = {
      spec: result.data.spec ?? {},
      // A spec with no file of its own (a bundled one) has no text: its JSON stands in.
      text:
        typeof result.data.text === 'string' && result.data.text !== ''
          ? result.data.text
          : `${JSON.stringify(result.data.spec, null, 2)}\n`,
      etag: result.etag ?? `"${result.data.digest}"`,
      file: result.data.file,
    };
  }
  if (!state.writes) {
    main.append(
      h('h1', { text: creating ? `New ${kind.name}` : `Edit ${id}` }),
      h('p', { text: 'The server is read-only.' }),
    );
    return;
  }

  const { simple, other } = formFields(kind.schema);
  const hasForm = simple.length > 0;
  let mode = hasForm ? 'form' : 'raw';
  /** The object the form edits: the spec as opened (or as the raw text last parsed to), plus the form's values. */
  let base = structuredClone(original.spec);
  const inputs = new Map();
  const errors = new Map();
  const status = h('p', { class: 'validation-status', id: 'validation-status', role: 'status', text: '' });
  const general = h('div', { class: 'general-diagnostics', id: 'general-diagnostics' });
  const conflictArea = h('div', { id: 'conflict', 'aria-live': 'assertive' });
  const raw = h('textarea', {
    id: 'raw-editor',
    class: 'raw-editor',
    spellcheck: 'false',
    autocomplete: 'off',
    rows: '22',
    'aria-describedby': 'raw-help general-diagnostics',
  });
  raw.value = original.text;

  const fieldRows = simple.map((field) => {
    const inputId = `field-${field.key}`;
    const errorId = `error-${field.key}`;
    let input;
    const current = base[field.key];
    if (field.type === 'boolean' || field.type === 'enum') {
      const values = field.type === 'boolean' ? [true, false] : field.values;
      input = h(
        'select',
        { id: inputId, name: field.key },
        h('option', { value: '', text: '(not set)' }),
        values.map((value) =>
          h('option', { value: JSON.stringify(value), text: String(value), selected: current === value }),
        ),
      );
    } else if (field.key === 'description') {
      input = h('textarea', { id: inputId, name: field.key, rows: '3' });
      input.value = typeof current === 'string' ? current : '';
    } else {
      input = h('input', {
        id: inputId,
        name: field.key,
        type: field.type === 'string' ? 'text' : 'number',
        step: field.type === 'integer' ? '1' : field.type === 'number' ? 'any' : undefined,
        autocomplete: 'off',
        spellcheck: 'false',
      });
      input.value = current === undefined || current === null ? '' : String(current);
    }
    if (field.key === 'id' && !creating) input.readOnly = true;
    input.setAttribute('aria-describedby', errorId);
    inputs.set(field.key, { input, field });
    const error = h('p', { class: 'field-error', id: errorId, 'data-field-error': field.key });
    errors.set(field.key, error);
    const help = field.schema.description ? h('p', { class: 'muted small', text: field.schema.description }) : null;
    return h(
      'div',
      { class: 'field', 'data-field': field.key },
      h(
        'label',
        { for: inputId },
        field.key,
        field.required ? h('span', { class: 'required', 'aria-label': 'required', text: ' *' }) : null,
      ),
      input,
      help,
      error,
    );
  });

  const formValue = () => {
    const value = structuredClone(base);
    for (const [key, { input, field }] of inputs) {
      const text = input.value;
      if (text === '') {
        delete value[key];
      } else if (field.type === 'boolean' || field.type === 'enum') {
        value[key] = JSON.parse(text);
      } else if (field.type === 'number' || field.type === 'integer') {
        const number = Number(text);
        value[key] = Number.isFinite(number) ? number : text;
      } else {
        value[key] = text;
      }
    }
    return value;
  };
  const fillForm = () => {
    for (const [key, { input, field }] of inputs) {
      const value = base[key];
      if (field.type === 'boolean' || field.type === 'enum')
        input.value = value === undefined ? '' : JSON.stringify(value);
      else input.value = value === undefined || value === null ? '' : String(value);
    }
  };
  const formDirty = () => JSON.stringify(formValue()) !== JSON.stringify(original.spec);
  const rawDirty = () => raw.value !== original.text;

  const body = () => {
    if (mode === 'form') return { body: JSON.stringify(formValue()), contentType: 'application/json' };
    const text = raw.value;
    return { body: text, contentType: /^\s*[{[]/.test(text) ? 'application/json' : 'application/yaml' };
  };

  const formPanel = h(
    'div',
    { class: 'form-panel', id: 'form-panel' },
    h('div', { class: 'form-grid' }, fieldRows),
    other.length
      ? h('p', { class: 'muted small' }, `Edit ${other.join(', ')} in the raw editor; the form keeps them as they are.`)
      : null,
  );
  const rawPanel = h(
    'div',
    { class: 'raw-panel', id: 'raw-panel' },
    h('label', { for: 'raw-editor', text: 'YAML or JSON' }),
    h('p', {
      class: 'muted small',
      id: 'raw-help',
      text: 'The whole spec document. Comments and key order are kept where values do not change.',
    }),
    raw,
  );
  const formButton = h('button', { type: 'button', id: 'mode-form', class: 'segment', text: 'Form' });
  const rawButton = h('button', { type: 'button', id: 'mode-raw', class: 'segment', text: 'Raw YAML/JSON' });
  const setMode = (next) => {
    if (next === 'form' && mode === 'raw' && rawDirty()) {
      // The browser has no YAML parser: the form can take raw edits written as JSON only.
      let parsed;
      try {
        parsed = JSON.parse(raw.value);
      } catch {
        notify('warning', 'The form cannot read YAML edits: save them, or revert them, before switching to the form.', {
          timeout: 6000,
          id: 'mode-switch',
        });
        return;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
      base = parsed;
      fillForm();
    } else if (next === 'raw' && mode === 'form' && formDirty()) {
      raw.value = `${JSON.stringify(formValue(), null, 2)}\n`;
    }
    mode = next;
    formPanel.hidden = mode !== 'form';
    rawPanel.hidden = mode !== 'raw';
    formButton.setAttribute('aria-pressed', String(mode === 'form'));
    rawButton.setAttribute('aria-pressed', String(mode === 'raw'));
  };
  formButton.addEventListener('click', () => setMode('form'));
  rawButton.addEventListener('click', () => {
    setMode('raw');
    validate();
  });

  const pick = (diagnostic) => {
    if (mode !== 'raw') setMode('raw');
    const at = positionOf(raw.value, diagnostic.line, diagnostic.column);
    raw.focus();
    raw.setSelectionRange(at, at);
  };

  const showDiagnostics = (diagnostics) => {
    for (const [, error] of errors) error.textContent = '';
    for (const [, { input }] of inputs) input.removeAttribute('aria-invalid');
    raw.removeAttribute('aria-invalid');
    clear(general);
    const rest = [];
    for (const diagnostic of diagnostics) {
      const key = pointerKey(diagnostic.pointer);
      const own = !diagnostic.file || !original.file || diagnostic.file === original.file;
      if (mode === 'form' && own && key !== undefined && errors.has(key)) {
        const error = errors.get(key);
        error.textContent = [
          error.textContent,
          `${diagnostic.message}${diagnostic.code ? ` (${diagnostic.code})` : ''}`,
        ]
          .filter(Boolean)
          .join(' · ');
        inputs.get(key).input.setAttribute('aria-invalid', 'true');
      } else {
        rest.push(diagnostic);
      }
    }
    if (mode === 'raw' && diagnostics.length) raw.setAttribute('aria-invalid', 'true');
    if (rest.length) general.append(diagnosticList(rest, { onPick: pick }));
  };

  let conflicted = false;
  const showConflict = () => {
    if (conflicted) return;
    conflicted = true;
    clear(conflictArea).append(
      conflictBlock(
        () => route(),
        'Nothing was written. Your edits are still below: copy what you need, then reload to see the current version.',
      ),
    );
    conflictArea.scrollIntoView({ block: 'nearest' });
  };

  let controller;
  let sequence = 0;
  const validate = async () => {
    controller?.abort();
    if (!state.token) {
      status.textContent = 'Paste the write token (top of the page) to check and save.';
      status.dataset.state = 'no-token';
      return;
    }
    controller = new AbortController();
    const mine = ++sequence;
    status.textContent = 'Checking…';
    status.dataset.state = 'checking';
    const { body: payload, contentType } = body();
    const result = creating
      ? await api('POST', `/v1/registry/${enc(kind.directory)}?dryRun=true`, {
          write: true,
          body: payload,
          contentType,
          signal: controller.signal,
        })
      : await api('PUT', `/v1/registry/${enc(kind.directory)}/${enc(id)}?dryRun=true`, {
          write: true,
          ifMatch: original.etag,
          body: payload,
          contentType,
          signal: controller.signal,
        });
    if (result.aborted || mine !== sequence || !current()) return;
    if (result.ok) {
      showDiagnostics([]);
      status.textContent = 'No problems found.';
      status.dataset.state = 'valid';
      return;
    }
    const problem = result.problem ?? {};
    if (result.status === 412) {
      showConflict();
      status.textContent = 'Changed by someone else since you opened it.';
      status.dataset.state = 'conflict';
      return;
    }
    const diagnostics = Array.isArray(problem.diagnostics) ? problem.diagnostics : [];
    showDiagnostics(
      diagnostics.length
        ? diagnostics
        : [{ message: problem.detail ?? problem.title ?? 'Invalid', code: problem.code }],
    );
    status.textContent = diagnostics.length
      ? `${plural(diagnostics.length, 'problem')} found.`
      : (problem.title ?? 'Invalid.');
    status.dataset.state = 'invalid';
    if (result.status === 401) showTokenForm(true);
  };
  const validateSoon = debounce(validate, validateDelayMs);
  for (const [, { input }] of inputs) {
    input.addEventListener('input', validateSoon);
    input.addEventListener('change', validateSoon);
  }
  raw.addEventListener('input', validateSoon);

  const saveButton = h('button', {
    type: 'submit',
    class: 'primary',
    id: 'save-button',
    text: creating ? 'Create' : 'Save',
  });
  const save = async (event) => {
    event.preventDefault();
    validateSoon.cancel();
    controller?.abort();
    saveButton.disabled = true;
    status.textContent = 'Saving…';
    status.dataset.state = 'saving';
    const { body: payload, contentType } = body();
    const result = creating
      ? await api('POST', `/v1/registry/${enc(kind.directory)}`, { write: true, body: payload, contentType })
      : await api('PUT', `/v1/registry/${enc(kind.directory)}/${enc(id)}`, {
          write: true,
          ifMatch: original.etag,
          body: payload,
          contentType,
        });
    saveButton.disabled = false;
    if (!current()) return;
    if (result.ok) {
      const savedId = result.data?.id ?? id;
      notify('success', [creating ? 'Created ' : 'Saved ', h('code', { text: savedId }), '.'], { timeout: 8000 });
      location.hash = `#/spec/${enc(kind.directory)}/${enc(savedId)}`;
      return;
    }
    const problem = result.problem ?? {};
    if (result.status === 412) {
      showConflict();
      status.textContent = 'Not saved: changed by someone else since you opened it.';
      status.dataset.state = 'conflict';
      return;
    }
    const diagnostics = Array.isArray(problem.diagnostics) ? problem.diagnostics : [];
    showDiagnostics(diagnostics);
    clear(general).append(
      problemBlock(problem, { heading: 'Not saved' }),
      diagnosticList(
        diagnostics.filter((d) => mode === 'raw' || !errors.has(pointerKey(d.pointer) ?? '')),
        { onPick: pick },
      ),
    );
    status.textContent = `Not saved${diagnostics.length ? `: ${plural(diagnostics.length, 'problem')}` : ''}.`;
    status.dataset.state = 'invalid';
    if (result.status === 401) showTokenForm(true);
  };

  main.append(
    h(
      'div',
      { class: 'view-head' },
      h(
        'div',
        {},
        h('p', { class: 'crumbs' }, h('a', { href: `#/kind/${enc(kind.directory)}`, text: kind.directory }), ' /'),
        h('h1', { text: creating ? `New ${kind.name}` : `Edit ${id}` }),
        original.file ? h('p', { class: 'muted small', text: original.file }) : null,
      ),
    ),
    conflictArea,
    h(
      'form',
      { class: 'editor', id: 'editor', novalidate: true, on: { submit: save } },
      h('div', { class: 'segments', role: 'group', 'aria-label': 'Editor' }, hasForm ? formButton : null, rawButton),
      formPanel,
      rawPanel,
      general,
      h(
        'div',
        { class: 'editor-actions' },
        saveButton,
        h('a', {
          class: 'button',
          href: creating ? `#/kind/${enc(kind.directory)}` : `#/spec/${enc(kind.directory)}/${enc(id)}`,
          text: 'Cancel',
        }),
        status,
      ),
    ),
  );
  setMode(mode);
  if (!hasForm) formPanel.hidden = true;
  focusMain();
  if (!creating) validate();
  state.onRegistryChange = async (event) => {
    if (creating || conflicted) return;
    const names = [...(event?.modified ?? []), ...(event?.removed ?? [])].map((entry) => target(entry).id);
    if (names.includes(id)) {
      notify('warning', `${id} changed on disk since you opened it; saving will be refused.`, {
        id: 'editing-changed',
      });
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Snapshots

async function snapshotsView(main, current) {
  const [snapshots, tags] = await Promise.all([api('GET', '/v1/snapshots'), api('GET', '/v1/tags')]);
  if (!current()) return;
  main.append(h('div', { class: 'view-head' }, h('h1', { text: 'Snapshots' })));
  if (!snapshots.ok) {
    main.append(problemBlock(snapshots.problem));
    return;
  }
  const list = Array.isArray(snapshots.data?.snapshots) ? snapshots.data.snapshots : [];
  const tagList = tags.ok && Array.isArray(tags.data?.tags) ? tags.data.tags : [];
  if (list.length === 0) {
    main.append(h('p', { class: 'empty', text: 'The store has no snapshot yet. Build one.' }));
  } else {
    main.append(
      list.length > 1 ? diffForm(list, tagList, list[1].id, list[0].id) : null,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table', id: 'snapshot-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Snapshot', 'Created', 'Specs', 'Tags', ''].map((label) => h('th', { scope: 'col', text: label })),
            ),
          ),
          h(
            'tbody',
            {},
            list.map((snapshot, index) =>
              h(
                'tr',
                { 'data-snapshot': snapshot.id },
                h(
                  'td',
                  {},
                  h('a', { href: `#/snapshot/${enc(snapshot.id)}`, title: snapshot.id }, digestCode(snapshot.id)),
                ),
                h('td', { text: formatTime(snapshot.createdAt) }),
                h('td', { text: snapshot.specs ?? '' }),
                h(
                  'td',
                  {},
                  (snapshot.tags ?? []).map((tag) => h('span', { class: 'badge badge-tag', text: tag })),
                ),
                h(
                  'td',
                  {},
                  list[index + 1]
                    ? h('a', {
                        href: `#/diff?from=${enc(list[index + 1].id)}&to=${enc(snapshot.id)}`,
                        text: 'diff with previous',
                      })
                    : null,
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }
  if (tagList.length) {
    main.append(
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'tags-h' },
        h('h2', { id: 'tags-h', text: 'Tags' }),
        h(
          'ul',
          { class: 'link-list', id: 'tags' },
          tagList.map((tag) =>
            h(
              'li',
              {},
              h('a', { href: `#/snapshot/${enc(tag.name)}`, text: tag.name }),
              ' → ',
              digestCode(tag.snapshot),
            ),
          ),
        ),
      ),
    );
  }
  state.onStoreChange = () => redraw();
  focusMain();
}

function diffForm(snapshots, tags, from, to) {
  const options = (selected) => [
    tags.length
      ? h(
          'optgroup',
          { label: 'Tags' },
          tags.map((tag) => h('option', { value: tag.name, text: tag.name, selected: tag.name === selected })),
        )
      : null,
    h(
      'optgroup',
      { label: 'Snapshots' },
      snapshots.map((snapshot) =>
        h('option', {
          value: snapshot.id,
          text: `${snapshot.id.slice(0, 19)}… ${formatTime(snapshot.createdAt)}${snapshot.tags?.length ? ` (${snapshot.tags.join(', ')})` : ''}`,
          selected: snapshot.id === selected,
        }),
      ),
    ),
  ];
  const fromSelect = h('select', { id: 'diff-from', name: 'from' }, options(from));
  const toSelect = h('select', { id: 'diff-to', name: 'to' }, options(to));
  return h(
    'form',
    {
      class: 'filters diff-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          location.hash = `#/diff?from=${enc(fromSelect.value)}&to=${enc(toSelect.value)}`;
        },
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'diff-from', text: 'From' }), fromSelect),
    h('div', { class: 'field' }, h('label', { for: 'diff-to', text: 'To' }), toSelect),
    h('div', { class: 'field field-button' }, h('button', { type: 'submit', id: 'diff-compare', text: 'Compare' })),
  );
}

async function snapshotView(main, selector, params, current) {
  const info = await api('GET', `/v1/snapshots/${enc(selector)}`, { cache: 'default' });
  if (!current()) return;
  if (!info.ok) {
    main.append(h('h1', { text: selector }), problemBlock(info.problem));
    return;
  }
  const snapshot = info.data;
  const kinds = Array.isArray(snapshot.kinds) ? snapshot.kinds : [];
  const kindSelect = h(
    'select',
    { id: 'snapshot-kind' },
    h('option', { value: '', text: 'all kinds' }),
    kinds.map((kind) =>
      h('option', {
        value: kind.name,
        text: `${kind.name} (${kind.count})`,
        selected: params.get('kind') === kind.name,
      }),
    ),
  );
  const search = h('input', {
    type: 'search',
    id: 'snapshot-q',
    value: params.get('q') ?? '',
    placeholder: 'Search',
    autocomplete: 'off',
  });
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  main.append(
    h(
      'div',
      { class: 'view-head' },
      h(
        'div',
        {},
        h('p', { class: 'crumbs' }, h('a', { href: '#/snapshots', text: 'snapshots' }), ' /'),
        h('h1', { class: 'spec-title', text: snapshot.id }),
        h(
          'p',
          { class: 'muted' },
          formatTime(snapshot.createdAt),
          ' · ',
          plural(snapshot.specs ?? 0, 'spec'),
          (snapshot.tags ?? []).map((tag) => [' ', h('span', { class: 'badge badge-tag', text: tag })]),
        ),
      ),
    ),
    h(
      'form',
      { class: 'filters', role: 'search', on: { submit: (event) => event.preventDefault() } },
      h('div', { class: 'field' }, h('label', { for: 'snapshot-kind', text: 'Kind' }), kindSelect),
      h('div', { class: 'field' }, h('label', { for: 'snapshot-q', text: 'Search' }), search),
    ),
    results,
  );
  const load = async () => {
    const query = new URLSearchParams();
    if (kindSelect.value) query.set('kind', kindSelect.value);
    if (search.value.trim()) query.set('q', search.value.trim());
    setQuery(query);
    const result = await api('GET', `/v1/snapshots/${enc(snapshot.id)}/specs${query.size ? `?${query}` : ''}`, {
      cache: 'default',
    });
    if (!current()) return;
    clear(results);
    if (!result.ok) {
      results.append(problemBlock(result.problem));
      return;
    }
    const specs = Array.isArray(result.data?.specs) ? result.data.specs : [];
    results.append(
      h('p', { class: 'muted result-count', text: plural(specs.length, 'spec') }),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Spec', 'Kind', 'Digest'].map((label) => h('th', { scope: 'col', text: label })),
            ),
          ),
          h(
            'tbody',
            {},
            specs.map((spec) =>
              h(
                'tr',
                { 'data-id': spec.id },
                h('td', {}, h('a', { href: `#/snapshot/${enc(snapshot.id)}/spec/${enc(spec.id)}`, text: spec.id })),
                h('td', { text: spec.kind ?? '' }),
                h('td', {}, digestCode(spec.digest)),
              ),
            ),
          ),
        ),
      ),
    );
  };
  kindSelect.addEventListener('change', load);
  search.addEventListener('input', debounce(load, 200));
  await load();
  focusMain();
}

async function snapshotSpecView(main, selector, ref, current) {
  const result = await api('GET', `/v1/snapshots/${enc(selector)}/specs/${enc(ref)}`, { cache: 'default' });
  if (!current()) return;
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/snapshot/${enc(selector)}`, text: selector.slice(0, 19) }), ' /'),
  );
  if (!result.ok) {
    main.append(h('h1', { text: ref }), problemBlock(result.problem));
    return;
  }
  const spec = result.data;
  const directory = directoryOfKind(spec.kind);
  main.append(
    h('h1', { class: 'spec-title', text: spec.id }),
    h(
      'dl',
      { class: 'meta' },
      h('dt', { text: 'Kind' }),
      h('dd', { text: spec.kind ?? '' }),
      h('dt', { text: 'Digest' }),
      h('dd', {}, h('code', { class: 'digest full', text: spec.digest ?? '' })),
      h('dt', { text: 'Snapshot' }),
      h('dd', {}, h('code', { class: 'digest full', text: spec.snapshot ?? selector })),
    ),
    directory
      ? h('p', {}, h('a', { href: `#/spec/${enc(directory)}/${enc(spec.id)}`, text: 'Open the draft in the registry' }))
      : null,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'fields-h' },
      h('h2', { id: 'fields-h', text: 'Fields' }),
      h(
        'dl',
        { class: 'fields' },
        Object.entries(spec.spec ?? {}).map(([key, value]) => [h('dt', { text: key }), h('dd', {}, valueView(value))]),
      ),
    ),
  );
  focusMain();
}

// ---------------------------------------------------------------------------------------------------------------------
// Diff

function severityBadge(severity) {
  return h('span', { class: `severity severity-${severity}`, 'data-severity': severity, text: severity });
}

function changeWhere(change) {
  const pointer = change.pointer ?? '';
  return change.schema ? `${pointer} → ${change.schema.document}#${change.schema.pointer}` : pointer;
}

function rank(severity) {
  const index = severityOrder.indexOf(severity);
  return index < 0 ? severityOrder.length : index;
}

function changesTable(rows, { withSpec }) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table changes' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [withSpec ? 'Spec' : null, 'Severity', 'Rule', 'Where', 'Change']
            .filter(Boolean)
            .map((label) => h('th', { scope: 'col', text: label })),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map(({ spec, change }) =>
          h(
            'tr',
            { 'data-rule': change.rule, 'data-severity': change.severity },
            withSpec ? h('td', {}, h('code', { text: spec })) : null,
            h('td', {}, severityBadge(change.severity)),
            h('td', {}, h('code', { class: 'rule', text: change.rule })),
            h('td', {}, h('code', { class: 'pointer', text: changeWhere(change) })),
            h('td', { text: change.message ?? '' }),
          ),
        ),
      ),
    ),
  );
}

async function diffView(main, params, current) {
  main.append(h('div', { class: 'view-head' }, h('h1', { text: 'Diff' })));
  const snapshots = await api('GET', '/v1/snapshots');
  const tags = await api('GET', '/v1/tags');
  if (!current()) return;
  const list = snapshots.ok && Array.isArray(snapshots.data?.snapshots) ? snapshots.data.snapshots : [];
  const tagList = tags.ok && Array.isArray(tags.data?.tags) ? tags.data.tags : [];
  let from = params.get('from');
  let to = params.get('to');
  if (list.length < 1 || (list.length < 2 && !(from && to))) {
    main.append(h('p', { class: 'empty', text: 'A diff needs two snapshots: build another one.' }));
    return;
  }
  from ??= list[1]?.id ?? list[0].id;
  to ??= list[0].id;
  main.append(diffForm(list, tagList, from, to));
  const area = h('div', { id: 'diff-report', 'aria-live': 'polite' }, h('p', { class: 'muted', text: 'Comparing…' }));
  main.append(area);
  const result = await api('GET', `/v1/diff?from=${enc(from)}&to=${enc(to)}`);
  if (!current()) return;
  clear(area);
  if (!result.ok) {
    area.append(problemBlock(result.problem));
    return;
  }
  renderDiff(area, result.data);
  focusMain();
}

function renderDiff(area, report) {
  const specs = Array.isArray(report.specs) ? [...report.specs] : [];
  const kinds = Array.isArray(report.kinds) ? report.kinds : [];
  const counts = report.counts ?? {};
  area.dataset.severity = report.severity ?? '';
  area.append(
    h(
      'div',
      { class: 'diff-summary card' },
      h(
        'p',
        {},
        h('code', { class: 'digest', title: report.from, text: String(report.from ?? '').slice(0, 19) }),
        ' → ',
        h('code', { class: 'digest', title: report.to, text: String(report.to ?? '').slice(0, 19) }),
      ),
      report.empty
        ? h('p', { id: 'diff-verdict', text: 'No differences.' })
        : h(
            'p',
            { id: 'diff-verdict' },
            'Verdict: ',
            severityBadge(report.severity),
            ` · ${plural(specs.length, 'spec')} changed`,
            severityOrder.filter((s) => counts[s] > 0).map((s) => ` · ${counts[s]} ${s}`),
            report.ignored > 0 ? ` · ${report.ignored} ignored` : '',
          ),
    ),
  );
  if (report.empty) return;
  const breaking = [
    ...specs.flatMap((spec) =>
      (spec.changes ?? [])
        .filter((change) => change.severity === 'breaking')
        .map((change) => ({ spec: spec.name, change })),
    ),
    ...kinds
      .filter((change) => change.severity === 'breaking')
      .map((change) => ({ spec: `kind ${change.kind}`, change })),
  ];
  area.append(
    h(
      'section',
      { class: 'card breaking', id: 'diff-breaking', 'aria-labelledby': 'breaking-h' },
      h('h2', { id: 'breaking-h', text: `Breaking changes (${breaking.length})` }),
      breaking.length ? changesTable(breaking, { withSpec: true }) : h('p', { class: 'muted', text: 'None.' }),
    ),
  );
  specs.sort((a, b) => rank(a.severity) - rank(b.severity) || String(a.name).localeCompare(String(b.name)));
  const section = h(
    'section',
    { class: 'diff-specs', 'aria-labelledby': 'all-h' },
    h('h2', { id: 'all-h', text: 'Changed specs' }),
  );
  for (const spec of specs) {
    const versions =
      spec.from && spec.to ? (spec.from === spec.to ? spec.to : `${spec.from} → ${spec.to}`) : spec.status;
    const changes = [...(spec.changes ?? [])].sort((a, b) => rank(a.severity) - rank(b.severity));
    section.append(
      h(
        'details',
        {
          class: 'card diff-spec',
          open: spec.severity === 'breaking' || spec.severity === 'unknown',
          'data-spec': spec.name,
        },
        h('summary', {}, h('code', { text: spec.name }), ` (${spec.kind}) ${versions} `, severityBadge(spec.severity)),
        changes.length
          ? changesTable(
              changes.map((change) => ({ spec: spec.name, change })),
              { withSpec: false },
            )
          : h('p', { class: 'muted', text: `${spec.status}` }),
        spec.ignored > 0 ? h('p', { class: 'muted small', text: `${spec.ignored} ignored` }) : null,
      ),
    );
  }
  area.append(section);
  if (kinds.length) {
    area.append(
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'kinds-h' },
        h('h2', { id: 'kinds-h', text: 'Kinds' }),
        changesTable(
          [...kinds]
            .sort((a, b) => rank(a.severity) - rank(b.severity))
            .map((change) => ({ spec: change.kind, change })),
          { withSpec: true },
        ),
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Build

function setupBuild() {
  $('#build-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('#build-button');
    const tag = $('#build-tag').value.trim();
    button.disabled = true;
    button.textContent = 'Building…';
    const result = await api('POST', '/v1/build', { write: true, body: tag ? { tag } : {} });
    button.disabled = false;
    button.textContent = 'Build snapshot';
    if (!result.ok) {
      showProblem(result.problem, 'Build refused');
      return;
    }
    const { snapshot, specs, unchanged } = result.data ?? {};
    const id = typeof snapshot === 'string' ? snapshot : snapshot?.id;
    $('#build-tag').value = '';
    notify(
      'success',
      h(
        'p',
        { id: 'build-result', 'data-snapshot': id },
        unchanged ? 'Nothing changed: the snapshot is ' : 'Built snapshot ',
        h('a', { href: `#/snapshot/${enc(id)}` }, h('code', { class: 'digest full', text: id })),
        specs !== undefined ? ` · ${plural(specs, 'spec')}` : '',
        result.data?.tag ? [' · tagged ', h('span', { class: 'badge badge-tag', text: result.data.tag })] : '',
      ),
      { id: 'build' },
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Live updates

function setupEvents() {
  if (typeof EventSource === 'undefined') return;
  const source = new EventSource('/v1/events');
  const live = $('#server-info');
  source.addEventListener('open', () => live.classList.add('live'));
  source.addEventListener('error', () => live.classList.remove('live'));
  source.addEventListener('registry', async (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    showRegistryHealth(data);
    state.index = null;
    await refreshKinds();
    await state.onRegistryChange?.(data);
  });
  source.addEventListener('store', async (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      data = {};
    }
    await state.onStoreChange?.(data);
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Start

async function start() {
  readTokenFromHash();
  setupToken();
  setupTabKeys();
  setupBuild();
  const info = await api('GET', '/v1/info');
  if (info.ok) {
    state.info = info.data;
    state.writes = info.data?.writes === true && info.data?.readOnly !== true;
    $('#server-info').textContent = `v${info.data?.version ?? '?'}`;
    $('#server-info').title = [info.data?.registry, info.data?.store].filter(Boolean).join(' · ');
  } else {
    showProblem(info.problem, 'Could not reach the server');
  }
  const badge = $('#mode-badge');
  badge.hidden = state.writes;
  badge.textContent = 'read-only';
  document.body.classList.toggle('read-only', !state.writes);
  $('#build-form').hidden = !state.writes;
  showTokenForm();
  await loadKinds();
  window.addEventListener('hashchange', () => route());
  await route();
  setupEvents();
  document.body.dataset.ready = 'true';
}

start().catch((error) => {
  notify('error', `The panel failed to start: ${error?.message ?? error}`);
});
