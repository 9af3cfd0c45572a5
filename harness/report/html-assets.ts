// The inline style and script of the HTML pages (html-page.ts). The script reads the page's JSON
// block, draws the filters and the table, keeps the filter in the URL hash (so a link to "all
// diverging aarch64 cases" can be shared), and renders a row's panel the first time it is opened.
// It builds every node with textContent, never from markup, so no case data can become markup.
// Plain browser JavaScript in a String.raw literal: no backticks and no dollar-brace in it.

export const PAGE_STYLE = String.raw`
:root { color-scheme: light; --fg: #1b1b1b; --muted: #666; --line: #d8d8d8; --bg2: #f5f5f5; --del: #fde8e8; --ins: #e6f4e6; --del-mark: #f4a6a6; --ins-mark: #9fd89f; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: 1rem 0 .3rem; }
h4 { margin: .8rem 0 .3rem; font-size: .95rem; }
code, pre, .mono, td.line { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
.verdict { font-weight: 600; margin: .2rem 0 .6rem; }
.verdict.pass { color: #2e7d32; } .verdict.fail { color: #c62828; }
table.facts { border-collapse: collapse; margin-bottom: .8rem; }
table.facts th { text-align: left; font-weight: 500; color: var(--muted); padding: 1px 1rem 1px 0; vertical-align: top; }
table.facts td { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
.summary { display: flex; flex-wrap: wrap; gap: .4rem; margin: .4rem 0 .8rem; }
.chip { border: 2px solid var(--tone); background: #fff; color: var(--tone); border-radius: 1rem; padding: .15rem .7rem; cursor: pointer; font: inherit; }
.chip b { font-size: 1.05rem; }
.chip.zero { opacity: .45; }
.chip.active { background: var(--tone); color: #fff; }
.notes { color: #7a5b00; margin: 0 0 .8rem; padding-left: 1.2rem; }
#filters { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center; padding: .5rem 0; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fff; z-index: 2; }
#filters label { display: inline-flex; gap: .3rem; align-items: center; color: var(--muted); }
#filters select, #filters input[type=search] { font: inherit; padding: 1px 4px; max-width: 18rem; }
#filters .count { margin-left: auto; font-weight: 600; }
#items { border-collapse: collapse; width: 100%; margin-top: .3rem; }
#items > thead > tr > th { text-align: left; border-bottom: 2px solid var(--line); padding: 0; white-space: nowrap; }
#items > thead > tr > th button { font: inherit; font-weight: 600; background: none; border: 0; padding: .3rem .5rem; cursor: pointer; width: 100%; text-align: left; }
#items > thead > tr > th[aria-sort=ascending] button::after { content: " \25B2"; font-size: .7em; }
#items > thead > tr > th[aria-sort=descending] button::after { content: " \25BC"; font-size: .7em; }
#items > tbody > tr > td { padding: .2rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
tr.item { cursor: pointer; }
tr.item:hover, tr.item:focus { background: var(--bg2); outline: none; }
tr.item[aria-expanded=true] { background: #eef3fb; }
tr.item td.c-id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; white-space: nowrap; }
tr.item td.c-deviation { font-size: 12px; }
tr.item td.c-note { color: var(--muted); max-width: 44ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { display: inline-block; border-radius: .6rem; padding: 0 .5rem; background: var(--tone); color: #fff; font-size: 12px; white-space: nowrap; }
.badge.failing::after { content: " \2717"; }
tr.panel > td { background: #fbfbfb; border-bottom: 2px solid var(--line); padding: .3rem 1rem 1rem; }
tr.empty td { color: var(--muted); text-align: center; padding: 1rem; }
table.kv { border-collapse: collapse; }
table.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 1px 1rem 1px 0; vertical-align: top; white-space: nowrap; }
table.kv td { white-space: pre-wrap; word-break: break-word; }
pre { background: var(--bg2); padding: .5rem; margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 30rem; overflow: auto; }
table.sbs { border-collapse: collapse; width: 100%; table-layout: fixed; margin-bottom: .6rem; border: 1px solid var(--line); }
table.sbs caption { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; font-weight: 600; padding: .2rem 0; }
table.sbs th { text-align: left; font-weight: 600; background: var(--bg2); padding: .15rem .4rem; border-bottom: 1px solid var(--line); }
table.sbs td.line { white-space: pre-wrap; word-break: break-all; padding: 0 .4rem; vertical-align: top; border-left: 1px solid var(--line); }
table.sbs tr.change td.left { background: var(--del); }
table.sbs tr.change td.right { background: var(--ins); }
table.sbs tr.change td.none { background: repeating-linear-gradient(135deg, #f3f3f3, #f3f3f3 4px, #fff 4px, #fff 8px); }
table.sbs td.left mark { background: var(--del-mark); color: inherit; }
table.sbs td.right mark { background: var(--ins-mark); color: inherit; }
table.sbs tr.skip td, table.sbs tr.omitted td { color: var(--muted); text-align: center; font-style: italic; background: var(--bg2); }
.note { color: #7a5b00; margin: .2rem 0; }
.cmd { display: flex; gap: .5rem; align-items: flex-start; }
.cmd code { background: var(--bg2); padding: .3rem .5rem; flex: 1; word-break: break-all; white-space: pre-wrap; user-select: all; }
.cmd button { font: inherit; }
`;

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  const page = JSON.parse(document.getElementById('page-data').textContent);
  const columns = page.columns;
  const filterColumns = columns.filter(function (c) { return c.filter; });
  const NONE = '-';
  const state = { filters: {}, q: '', failing: false, sort: '', desc: false, open: '' };

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function values(item, key) {
    const v = item.cells[key];
    return Array.isArray(v) ? v : (v === undefined || v === null || v === '' ? [] : [v]);
  }
  function orderIndex(column) {
    const m = new Map();
    (column.order || []).forEach(function (v, i) { m.set(v, i); });
    return m;
  }

  // ── the hash: the filters, the search, the sort and the open row ──
  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.filters = {};
    for (const c of filterColumns) { const v = p.get(c.key); if (v) state.filters[c.key] = v; }
    state.q = p.get('q') || '';
    state.failing = p.get('failing') === '1';
    state.sort = p.get('sort') || '';
    state.desc = p.get('desc') === '1';
    state.open = p.get('open') || '';
  }
  function writeHash() {
    const p = new URLSearchParams();
    for (const c of filterColumns) if (state.filters[c.key]) p.set(c.key, state.filters[c.key]);
    if (state.q) p.set('q', state.q);
    if (state.failing) p.set('failing', '1');
    if (state.sort) p.set('sort', state.sort);
    if (state.desc) p.set('desc', '1');
    if (state.open) p.set('open', state.open);
    const hash = p.toString();
    const url = location.href.split('#')[0] + (hash ? '#' + hash : '');
    if (url === location.href) return;
    try { history.replaceState(null, '', url); } catch (e) { location.hash = hash; }
  }

  // ── filters ──
  const bar = document.getElementById('filters');
  const selects = {};
  for (const c of filterColumns) {
    const counts = new Map();
    let none = 0;
    for (const item of page.items) {
      const vs = values(item, c.key);
      if (vs.length === 0) none++;
      for (const v of vs) counts.set(v, (counts.get(v) || 0) + 1);
    }
    const order = orderIndex(c);
    const keys = Array.from(counts.keys()).sort(function (a, b) {
      const oa = order.has(a) ? order.get(a) : 1e9, ob = order.has(b) ? order.get(b) : 1e9;
      return oa - ob || a.localeCompare(b, undefined, { numeric: true });
    });
    const select = el('select', { 'data-key': c.key, 'aria-label': c.title });
    select.appendChild(el('option', { value: '' }, 'all'));
    for (const k of keys) select.appendChild(el('option', { value: k }, k + ' (' + counts.get(k) + ')'));
    if (none > 0) select.appendChild(el('option', { value: NONE }, '(none) (' + none + ')'));
    select.addEventListener('change', function () {
      if (select.value) state.filters[c.key] = select.value; else delete state.filters[c.key];
      update();
    });
    const label = el('label', null, c.title);
    label.appendChild(select);
    bar.appendChild(label);
    selects[c.key] = select;
  }
  const failingBox = el('input', { type: 'checkbox', id: 'failing-only' });
  const failingLabel = el('label', { for: 'failing-only' });
  failingLabel.appendChild(failingBox);
  failingLabel.appendChild(document.createTextNode('failing only'));
  failingBox.addEventListener('change', function () { state.failing = failingBox.checked; update(); });
  bar.appendChild(failingLabel);
  const search = el('input', { type: 'search', placeholder: page.noun + ' or note contains…', 'aria-label': 'search' });
  search.addEventListener('input', function () { state.q = search.value; update(); });
  bar.appendChild(search);
  const reset = el('button', { type: 'button' }, 'reset');
  reset.addEventListener('click', function () { state.filters = {}; state.q = ''; state.failing = false; state.sort = ''; state.desc = false; update(); });
  bar.appendChild(reset);
  const count = el('span', { class: 'count', id: 'shown-count' });
  bar.appendChild(count);

  const chips = Array.from(document.querySelectorAll('.summary .chip'));
  for (const chip of chips) {
    chip.addEventListener('click', function () {
      const v = chip.getAttribute('data-value');
      if (state.filters[page.summaryColumn] === v) delete state.filters[page.summaryColumn]; else state.filters[page.summaryColumn] = v;
      update();
    });
  }

  // ── the table ──
  const table = document.getElementById('items');
  const head = el('tr');
  const heads = {};
  for (const c of columns) {
    const th = el('th', { 'data-key': c.key, 'aria-sort': 'none' });
    const b = el('button', { type: 'button', title: 'sort by ' + c.title }, c.title);
    b.addEventListener('click', function () {
      if (state.sort === c.key) state.desc = !state.desc; else { state.sort = c.key; state.desc = false; }
      update();
    });
    th.appendChild(b);
    head.appendChild(th);
    heads[c.key] = th;
  }
  table.tHead.appendChild(head);
  const body = table.tBodies[0];
  const empty = el('tr', { class: 'empty' });
  empty.appendChild(el('td', { colspan: String(columns.length) }, 'no ' + page.noun + ' matches the filter'));

  const rows = page.items.map(function (item, index) {
    const tr = el('tr', { class: 'item t-' + item.tone, tabindex: '0', 'aria-expanded': 'false', 'data-id': item.id });
    for (const c of columns) {
      const td = el('td', { class: 'c-' + c.key });
      const vs = values(item, c.key);
      if (c.key === page.summaryColumn) {
        td.appendChild(el('span', { class: 'badge t-' + item.tone + (item.failing ? ' failing' : ''), title: item.failing ? 'fails the run' : 'passes' }, vs.join(', ')));
      } else {
        td.textContent = vs.length ? vs.join(', ') : '—';
        if (c.key === 'note') td.title = td.textContent;
      }
      tr.appendChild(td);
    }
    const row = { item: item, index: index, tr: tr, panel: null, open: false };
    tr.addEventListener('click', function () { toggle(row); });
    tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(row); } });
    return row;
  });
  const byId = new Map(rows.map(function (r) { return [r.item.id, r]; }));

  function matches(item) {
    for (const key of Object.keys(state.filters)) {
      const want = state.filters[key];
      const vs = values(item, key);
      if (want === NONE ? vs.length !== 0 : vs.indexOf(want) < 0) return false;
    }
    if (state.failing && !item.failing) return false;
    if (state.q) {
      const q = state.q.toLowerCase();
      const hay = (item.id + ' ' + values(item, 'note').join(' ')).toLowerCase();
      if (hay.indexOf(q) < 0) return false;
    }
    return true;
  }
  function compare(a, b) {
    if (!state.sort) return a.index - b.index;
    const column = columns.find(function (c) { return c.key === state.sort; });
    const order = orderIndex(column || {});
    const va = values(a.item, state.sort).join(', '), vb = values(b.item, state.sort).join(', ');
    if (va === '' || vb === '') return va === vb ? a.index - b.index : va === '' ? 1 : -1;
    let d;
    if (order.size) d = (order.has(va) ? order.get(va) : 1e9) - (order.has(vb) ? order.get(vb) : 1e9);
    else d = va.localeCompare(vb, undefined, { numeric: true });
    if (state.desc) d = -d;
    return d || a.index - b.index;
  }

  function syncControls() {
    for (const c of filterColumns) selects[c.key].value = state.filters[c.key] || '';
    failingBox.checked = state.failing;
    if (search.value !== state.q) search.value = state.q;
    for (const c of columns) heads[c.key].setAttribute('aria-sort', state.sort === c.key ? (state.desc ? 'descending' : 'ascending') : 'none');
    for (const chip of chips) chip.classList.toggle('active', state.filters[page.summaryColumn] === chip.getAttribute('data-value'));
  }
  function draw() {
    let shown = 0;
    const sorted = rows.slice().sort(compare);
    const frag = document.createDocumentFragment();
    for (const r of sorted) {
      const ok = matches(r.item);
      r.tr.hidden = !ok;
      frag.appendChild(r.tr);
      if (r.panel) { r.panel.hidden = !ok || !r.open; frag.appendChild(r.panel); }
      if (ok) shown++;
    }
    empty.hidden = shown !== 0;
    frag.appendChild(empty);
    body.appendChild(frag);
    count.textContent = shown + ' of ' + rows.length + ' ' + page.noun + (rows.length === 1 ? '' : 's') + ' shown';
  }
  function update() { syncControls(); draw(); writeHash(); }

  // ── panels, rendered on first open ──
  function toggle(row, force) {
    row.open = force === undefined ? !row.open : force;
    if (row.open && !row.panel) {
      row.panel = el('tr', { class: 'panel', 'data-id': row.item.id });
      const td = el('td', { colspan: String(columns.length) });
      td.appendChild(renderPanel(row.item));
      row.panel.appendChild(td);
      row.tr.after(row.panel);
    }
    if (row.panel) row.panel.hidden = !row.open || row.tr.hidden;
    row.tr.setAttribute('aria-expanded', String(row.open));
    if (row.open) state.open = row.item.id; else if (state.open === row.item.id) state.open = '';
    writeHash();
  }

  function renderPanel(item) {
    const box = el('div', { class: 'panel-body' });
    for (const part of item.panel) {
      const section = el('section', { class: 'part part-' + part.kind });
      section.appendChild(el('h4', null, part.title));
      if (part.kind === 'facts') section.appendChild(renderFacts(part.rows));
      else if (part.kind === 'text') section.appendChild(el('pre', null, part.text));
      else if (part.kind === 'sideBySide') renderSideBySide(section, part);
      else if (part.kind === 'command') section.appendChild(renderCommand(part.command));
      box.appendChild(section);
    }
    return box;
  }
  function renderFacts(facts) {
    const t = el('table', { class: 'kv' });
    for (const f of facts) {
      const tr = el('tr');
      tr.appendChild(el('th', null, f[0]));
      tr.appendChild(el('td', null, f[1]));
      t.appendChild(tr);
    }
    return t;
  }
  function renderCommand(command) {
    const box = el('div', { class: 'cmd' });
    box.appendChild(el('code', null, command));
    const b = el('button', { type: 'button' }, 'copy');
    b.addEventListener('click', function (e) {
      e.stopPropagation();
      const done = function () { b.textContent = 'copied'; };
      const select = function () { const r = document.createRange(); r.selectNodeContents(box.firstChild); const s = getSelection(); s.removeAllRanges(); s.addRange(r); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(command).then(done, select); else select();
    });
    box.appendChild(b);
    return box;
  }

  // Changed fields within a changed line: the tokens (runs of non-space) outside the longest
  // common subsequence of the two lines' tokens.
  function tokens(line) { return line.match(/\s+|\S+/g) || []; }
  function changedTokens(a, b) {
    const n = a.length, m = b.length;
    const ca = a.map(function (t) { return !/^\s+$/.test(t); }), cb = b.map(function (t) { return !/^\s+$/.test(t); });
    if (n * m > 250000) return [ca, cb];
    const dp = [];
    for (let i = 0; i <= n; i++) dp.push(new Uint16Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    let i = 0, j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { ca[i] = false; cb[j] = false; i++; j++; } else if (dp[i + 1][j] >= dp[i][j + 1]) i++; else j++;
    }
    return [ca, cb];
  }
  function lineCell(side, text, marks) {
    const td = el('td', { class: 'line ' + side });
    if (text === null) { td.classList.add('none'); return td; }
    if (!marks) { td.textContent = text; return td; }
    const ts = marks[0];
    ts.forEach(function (t, k) { td.appendChild(marks[1][k] ? el('mark', null, t) : document.createTextNode(t)); });
    return td;
  }
  function renderSideBySide(section, part) {
    for (const block of part.blocks) {
      const t = el('table', { class: 'sbs', 'data-block': block.key });
      t.appendChild(el('caption', null, block.key));
      const colgroup = el('colgroup');
      colgroup.appendChild(el('col', { style: 'width:50%' }));
      colgroup.appendChild(el('col', { style: 'width:50%' }));
      t.appendChild(colgroup);
      const th = el('tr');
      th.appendChild(el('th', null, part.left));
      th.appendChild(el('th', null, part.right));
      const thead = el('thead');
      thead.appendChild(th);
      t.appendChild(thead);
      const tb = el('tbody');
      for (const row of block.rows) {
        let tr;
        if (row.skipped !== undefined) {
          tr = el('tr', { class: 'skip' });
          tr.appendChild(el('td', { colspan: '2' }, '⋯ ' + row.skipped + ' equal line' + (row.skipped === 1 ? '' : 's')));
        } else if (row.same !== undefined) {
          tr = el('tr', { class: 'same' });
          tr.appendChild(lineCell('left', row.same));
          tr.appendChild(lineCell('right', row.same));
        } else {
          tr = el('tr', { class: 'change' });
          if (row.left !== null && row.right !== null) {
            const ta = tokens(row.left), tb2 = tokens(row.right);
            const ch = changedTokens(ta, tb2);
            tr.appendChild(lineCell('left', row.left, [ta, ch[0]]));
            tr.appendChild(lineCell('right', row.right, [tb2, ch[1]]));
          } else {
            tr.appendChild(lineCell('left', row.left));
            tr.appendChild(lineCell('right', row.right));
          }
        }
        tb.appendChild(tr);
      }
      if (block.omitted > 0) {
        const tr = el('tr', { class: 'omitted' });
        tr.appendChild(el('td', { colspan: '2' }, '… ' + block.omitted + ' more changed line' + (block.omitted === 1 ? '' : 's') + ' not shown'));
        tb.appendChild(tr);
      }
      t.appendChild(tb);
      section.appendChild(t);
    }
    for (const n of part.notes) section.appendChild(el('p', { class: 'note' }, n));
  }

  function openFromHash() {
    const r = state.open ? byId.get(state.open) : undefined;
    if (r && !r.open) { toggle(r, true); r.tr.scrollIntoView({ block: 'start' }); }
  }
  window.addEventListener('hashchange', function () { readHash(); syncControls(); draw(); openFromHash(); });
  readHash();
  syncControls();
  draw();
  openFromHash();
})();
`;
