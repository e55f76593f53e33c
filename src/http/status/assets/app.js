// printgate status page. The key lives in sessionStorage (this tab only) and travels only in the
// Authorization header: the live feed is read with fetch and a stream reader, not EventSource
// (which cannot send headers and would need the key in the URL), and previews are fetched the
// same way and shown from blob: URLs.

const STORAGE_KEY = 'printgate.statusKey';
const MAX_JOBS = 20;
const MAX_ERRORS = 50;
const $ = (id) => document.getElementById(id);

const view = { key: null, data: null, clockOffsetMs: 0, stream: null, retryMs: 1000, retryTimer: null };
/** Preview per job id: { state: 'loading' | 'ready' | 'none', url?, reason? } (a job's preview never changes). */
const previews = new Map();
let previewQueue = Promise.resolve();

// --- a little DOM helper: text only, never HTML from the data ---------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}

function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, value]) => value !== undefined).flatMap(([term, value]) => [el('dt', { text: term }), el('dd', {}, value ?? '—')]));
}

function badge(text, tone) {
  return el('span', { class: 'badge', 'data-tone': tone, text });
}

function ago(iso) {
  if (!iso) return 'never';
  const seconds = Math.round((Date.now() + view.clockOffsetMs - Date.parse(iso)) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

function timeEl(iso) {
  return iso ? el('time', { datetime: iso, title: new Date(iso).toLocaleString(), text: ago(iso) }) : 'never';
}

const STATE_TONE = { idle: 'ok', processing: 'busy', stopped: 'bad', completed: 'ok', pending: 'plain', aborted: 'bad', canceled: 'plain', held: 'warn' };

// --- rendering ----------------------------------------------------------------------------------
function renderGateway() {
  const { gateway } = view.data;
  $('version').textContent = gateway.version;
  const problems = gateway.problems.length === 0 ? 'none' : el('ul', {}, gateway.problems.map((problem) => el('li', { text: problem })));
  $('gateway').replaceChildren(
    facts([
      ['Health', badge(gateway.status, gateway.status === 'ok' ? 'ok' : 'bad')],
      ['Problems', problems],
      ['Database', gateway.db],
      ['Started', timeEl(gateway.startedAt)],
    ]),
  );
}

function renderPrinters() {
  const printers = view.data.printers;
  if (printers.length === 0) {
    $('printers').replaceChildren(el('li', { class: 'empty', text: 'No printers yet: add them under "printers:" in the configuration.' }));
    return;
  }
  $('printers').replaceChildren(
    ...printers.map((printer) =>
      el(
        'li',
        { 'data-printer-id': printer.id, 'data-state': printer.state },
        el('h3', {}, el('span', { text: printer.displayName ?? printer.name }), badge(printer.state, STATE_TONE[printer.state] ?? 'plain')),
        facts([
          ['Reasons', printer.reasons.length === 0 ? 'none' : printer.reasons.join(', ')],
          ['Queue', `${printer.queuedJobs} waiting, ${printer.heldJobs} held`],
          ['Source', printer.source],
          ['Group', printer.group],
          ['Language', `${printer.language} (${printer.capabilities.profile})`],
          ['Address', el('span', { class: 'mono', text: printer.uri })],
          ['Last seen', timeEl(printer.lastSeenAt)],
          ['Last error', printer.lastError ?? 'none'],
        ]),
      ),
    ),
  );
}

function printerName(id) {
  const printer = view.data.printers.find((candidate) => candidate.id === id);
  return printer ? (printer.displayName ?? printer.name) : id;
}

function renderJobs() {
  const jobs = view.data.jobs;
  if (jobs.length === 0) {
    $('jobs').replaceChildren(el('li', { class: 'empty', text: 'No jobs yet.' }));
    return;
  }
  $('jobs').replaceChildren(
    ...jobs.map((job) =>
      el(
        'li',
        { 'data-job-id': job.id, 'data-state': job.state },
        el('h3', {}, el('span', { text: job.name }), badge(job.state, STATE_TONE[job.state] ?? 'plain')),
        facts([
          ['Printer', printerName(job.printerId)],
          ['Reason', job.stateReason ?? undefined],
          ['Error', job.errorCode ? `${job.errorCode}: ${job.errorMessage ?? ''}` : undefined],
          ['Sent by', job.source],
          ['Type', `${job.contentType}, ${job.bytes} bytes${job.copies > 1 ? `, ${job.copies} copies` : ''}`],
          ['Created', timeEl(job.createdAt)],
        ]),
        previewOf(job),
      ),
    ),
  );
}

function previewOf(job) {
  const known = previews.get(job.id);
  if (!known) loadPreview(job);
  const entry = previews.get(job.id);
  if (entry.state === 'ready') return el('div', { class: 'preview' }, el('img', { src: entry.url, alt: `Preview of ${job.name}`, width: entry.width, height: entry.height }));
  if (entry.state === 'none') return el('p', { class: 'preview muted', text: `No preview: ${entry.reason}` });
  return el('p', { class: 'preview muted', text: 'Loading preview…' });
}

/** One preview at a time (a page of twenty must not spend the key's rate limit in a burst). */
function loadPreview(job) {
  previews.set(job.id, { state: 'loading' });
  previewQueue = previewQueue.then(async () => {
    if (!view.key) return;
    try {
      const answer = await fetch(job.preview, { headers: { Authorization: `Bearer ${view.key}` } });
      if (!answer.ok) {
        const body = await answer.json().catch(() => null);
        previews.set(job.id, { state: 'none', reason: body?.error?.message ?? `HTTP ${answer.status}` });
      } else {
        const blob = await answer.blob();
        const bitmap = await createImageBitmap(blob).catch(() => null);
        previews.set(job.id, { state: 'ready', url: URL.createObjectURL(blob), width: bitmap?.width, height: bitmap?.height });
        bitmap?.close();
      }
    } catch {
      previews.delete(job.id); // the network went: try again at the next render
      return;
    }
    if (view.data) renderJobs();
  });
}

function renderErrors() {
  const errors = view.data.errors;
  $('errors').replaceChildren(
    ...(errors.length === 0
      ? [el('li', { class: 'empty', text: 'No errors since the gateway started.' })]
      : errors.map((entry) =>
          el(
            'li',
            { 'data-error-id': entry.id },
            timeEl(entry.at),
            ' · ',
            el('strong', { text: printerName(entry.printerId) }),
            entry.jobId ? ` · job ${entry.jobId.slice(0, 8)}` : '',
            entry.code ? ` · ${entry.code}` : '',
            el('br'),
            entry.message,
          ),
        )),
  );
}

function renderCloud() {
  const cloud = view.data.cloud;
  if (!cloud) {
    $('cloud').replaceChildren(el('p', { text: 'Off (cloud.url is not set): keys are managed on this box only.' }));
    return;
  }
  $('cloud').replaceChildren(
    facts([
      ['State', badge(cloud.stale ? 'stale' : cloud.lastSuccessAt ? 'in sync' : 'not synced yet', cloud.stale ? 'bad' : cloud.lastSuccessAt ? 'ok' : 'warn')],
      ['Last success', timeEl(cloud.lastSuccessAt)],
      ['Push stream', cloud.streamConnected ? 'connected' : 'not connected'],
      ['Applied feed', String(cloud.appliedSeq)],
      ['Clock skew', cloud.clockSkewSeconds === null ? 'not measured yet' : `${Math.round(cloud.clockSkewSeconds)} s${cloud.clockSkewed ? ' (too far: check NTP)' : ''}`],
      ['Last error', cloud.lastError ?? 'none'],
    ]),
  );
}

function renderTls() {
  const tls = view.data.tls;
  if (!tls) {
    $('tls').replaceChildren(el('p', { text: 'Off (server.tls.enabled is false): the API is plain HTTP.' }));
    return;
  }
  $('tls').replaceChildren(
    facts([
      ['HTTPS port', String(tls.port)],
      ['Certificate', tls.source === 'generated' ? 'made by this box' : "the operator's"],
      ['SHA-256', el('span', { class: 'mono', id: 'tls-sha256', text: tls.sha256 })],
      ['Public key (pin)', el('span', { class: 'mono', text: `sha256//${tls.spkiSha256}` })],
      ['Valid until', new Date(tls.notAfter).toLocaleDateString()],
      ['Names', tls.names.join(', ')],
    ]),
  );
}

function renderKeys() {
  const cell = (label, value) => el('td', { 'data-label': label }, value);
  $('keys').tBodies[0].replaceChildren(
    ...view.data.keys.map((key) =>
      el(
        'tr',
        { 'data-key-id': key.id },
        cell('Name', key.name),
        cell('Key', el('span', { class: 'mono', text: key.hint })),
        cell('Permissions', key.permissions.join(', ')),
        cell('Groups', key.groups.length === 0 ? 'all' : key.groups.join(', ')),
        cell('State', badge(key.state, key.state === 'active' ? 'ok' : 'plain')),
        cell('Source', key.source),
        cell('Last used', timeEl(key.lastUsed)),
        cell('Expires', key.expires ? new Date(key.expires).toLocaleDateString() : 'never'),
      ),
    ),
  );
}

function renderAll() {
  renderGateway();
  renderPrinters();
  renderJobs();
  renderErrors();
  renderCloud();
  renderTls();
  renderKeys();
}

// --- data: the snapshot and the live feed -------------------------------------------------------
function takeSnapshot(snapshot) {
  view.data = snapshot;
  view.clockOffsetMs = Date.parse(snapshot.gateway.now) - Date.now();
  renderAll();
}

function upsert(list, item, max) {
  const index = list.findIndex((entry) => entry.id === item.id);
  if (index >= 0) list[index] = item;
  else list.push(item);
  list.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  list.length = Math.min(list.length, max);
}

function takeEvent(type, data) {
  if (type === 'snapshot') return takeSnapshot(data);
  if (!view.data) return;
  if (type === 'job') {
    upsert(view.data.jobs, data, MAX_JOBS);
    renderJobs();
  } else if (type === 'printer') {
    const index = view.data.printers.findIndex((printer) => printer.id === data.id);
    if (index >= 0) view.data.printers[index] = data;
    else view.data.printers.push(data);
    renderPrinters();
  } else if (type === 'recent-error') {
    if (!view.data.errors.some((entry) => entry.id === data.id)) view.data.errors.unshift(data);
    view.data.errors.length = Math.min(view.data.errors.length, MAX_ERRORS);
    renderErrors();
  } else if (type === 'error') {
    signOut(`Signed out: ${data.message} (${data.code})`);
  }
}

function setLive(state, text) {
  $('live').dataset.state = state;
  $('live').textContent = text;
}

async function refusal(answer) {
  const body = await answer.json().catch(() => null);
  return body?.error ? `${body.error.message} (${body.error.code})` : `HTTP ${answer.status}`;
}

/** Reads text/event-stream frames from a fetch body: `event:` and `data:` lines, blank line ends a frame. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}

async function connect() {
  clearTimeout(view.retryTimer);
  view.stream?.abort();
  const controller = new AbortController();
  view.stream = controller;
  try {
    const answer = await fetch('/api/v1/status/events', { headers: { Authorization: `Bearer ${view.key}`, Accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
    if (answer.status === 401 || answer.status === 403) return signOut(`Signed out: ${await refusal(answer)}`);
    if (!answer.ok || !answer.body) throw new Error(`HTTP ${answer.status}`);
    setLive('live', 'Live');
    view.retryMs = 1000;
    await readEvents(answer.body, takeEvent);
  } catch {
    if (controller.signal.aborted) return;
  }
  if (view.stream !== controller || !view.key) return;
  setLive('reconnecting', 'Reconnecting…');
  view.retryTimer = setTimeout(connect, view.retryMs);
  view.retryMs = Math.min(view.retryMs * 2, 15000);
}

// --- signing in and out -------------------------------------------------------------------------
async function signIn(key) {
  const answer = await fetch('/api/v1/status', { headers: { Authorization: `Bearer ${key}` }, cache: 'no-store' });
  if (!answer.ok) throw new Error(await refusal(answer));
  view.key = key;
  sessionStorage.setItem(STORAGE_KEY, key);
  takeSnapshot(await answer.json());
  $('sign-in').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = false;
  void connect();
}

function signOut(message = '') {
  view.key = null;
  view.data = null;
  view.stream?.abort();
  view.stream = null;
  clearTimeout(view.retryTimer);
  sessionStorage.removeItem(STORAGE_KEY);
  for (const entry of previews.values()) if (entry.url) URL.revokeObjectURL(entry.url);
  previews.clear();
  $('dashboard').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  setLive('off', 'Not signed in');
  $('key').focus();
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('key');
  const key = input.value.trim();
  input.value = '';
  $('sign-in-error').textContent = '';
  signIn(key).catch((error) => signOut(`Not signed in: ${error.message}`));
});
$('sign-out').addEventListener('click', () => signOut());
// Relative times age on their own.
setInterval(() => {
  if (view.data) renderAll();
}, 30000);

const kept = sessionStorage.getItem(STORAGE_KEY);
if (kept) signIn(kept).catch((error) => signOut(`Signed out: ${error.message}`));
