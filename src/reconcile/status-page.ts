/**
 * The status page (`index.html` on the report branch, served at `/` by the
 * reconciler): a fleet view (fleet-view.ts) as one self-contained HTML file.
 * Pure: view in, string out, no clock (the only time on the page is the
 * report's), so the same report gives the same bytes.
 *
 * Self-contained: inline CSS and script, no fonts, images or scripts from
 * anywhere else, so it works from file://, GitHub Pages or any static host.
 *
 * Built for 1,000 clusters: the server-side HTML holds the header, the
 * counts and the data; the script draws only what the filter selects, the
 * table a page at a time, and every chart is a hand-written SVG of at most
 * CHART_BARS bars, so the DOM grows linearly with the clusters shown, never
 * with clusters × workloads. Charts are a few rectangles each: a chart
 * library would be more code to ship inline than the drawing itself.
 *
 * Safety: every value from the report is text. In the HTML it is escaped
 * (escapeHtml); the data rides in a `<script type="application/json">`
 * block with `<`, `>`, `&` and the JavaScript line separators escaped, so a
 * `</script>` in a message cannot end the block; the script writes it into
 * the page with textContent only. Secret values are masked in the status
 * files already, and the caller redacts the page like README.md.
 */
import { humanDuration, type ClusterRow, type FleetView } from './fleet-view.ts';

export const PAGE_FILE = 'index.html';
/** Table rows per page. */
export const PAGE_ROWS = 50;
/** Bars per workload chart; the rest is counted under the chart. */
export const CHART_BARS = 60;

/**
 * The page loads nothing from elsewhere; this makes the browser refuse to,
 * should anything ever try (a meta element, so it holds on file:// and
 * static hosts too; the reconciler also sends it as a header).
 */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const RESULTS = ['Synced', 'Degraded', 'Failed', 'Unreachable', 'Orphaned'] as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that can sit inside a <script> element whatever the strings hold. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function short(commit: string | undefined): string {
  if (commit === undefined) return 'none';
  return /^[0-9a-f]{40}$/.test(commit) ? commit.slice(0, 12) : commit;
}

/**
 * What the script needs per cluster: the age pre-formatted (the page should
 * not re-implement Manifold's rules), and no replica counts, which the
 * workloads already hold per cluster (a third of the data at 1,000 clusters).
 */
function pageRow(row: ClusterRow): Omit<ClusterRow, 'workloads'> & { age?: string } {
  const { workloads: _perCluster, ...rest } = row;
  return row.ageSeconds === undefined ? rest : { ...rest, age: humanDuration(row.ageSeconds) };
}

function countsHtml(view: FleetView): string {
  const total = view.clusters.length;
  const chips = [`<button type="button" class="chip" data-state="all" aria-pressed="true">all <b>${total}</b></button>`];
  chips.push(`<button type="button" class="chip s-problem" data-state="problems" aria-pressed="false">not ok <b id="count-problems">${total - (view.counts.OK ?? 0)}</b></button>`);
  for (const r of RESULTS) {
    const n = view.counts[r] ?? 0;
    if (n > 0) chips.push(`<button type="button" class="chip s-${r}" data-state="${r}" aria-pressed="false">${r} <b id="count-${r}">${n}</b></button>`);
  }
  if ((view.counts.Stale ?? 0) > 0) chips.push(`<button type="button" class="chip s-stale" data-state="Stale" aria-pressed="false">stale <b id="count-Stale">${view.counts.Stale}</b></button>`);
  const behind = view.clusters.filter((c) => c.behind === undefined ? c.applied !== view.tip?.commit && view.tip !== undefined : c.behind > 0).length;
  if (behind > 0) chips.push(`<button type="button" class="chip s-behind" data-state="behind" aria-pressed="false">behind the tip <b id="count-behind">${behind}</b></button>`);
  return chips.join('\n');
}

function headerHtml(view: FleetView): string {
  const facts: string[] = [];
  if (view.report.commit !== undefined) facts.push(`report <code>${escapeHtml(short(view.report.commit))}</code>`);
  if (view.report.folder !== undefined) facts.push(`report folder <code>${escapeHtml(view.report.folder)}</code>`);
  if (view.report.now !== undefined) facts.push(`as of <time>${escapeHtml(view.report.now)}</time>`);
  if (view.tip !== undefined) facts.push(`rendered tip <code>${escapeHtml(short(view.tip.commit))}</code>${view.tip.from === 'report' ? ' (newest in the report)' : ''}`);
  const verdict = view.ok ? '<span class="verdict ok">all clusters synced and healthy at the tip</span>' : `<span class="verdict bad">${view.clusters.length - (view.counts.OK ?? 0)} of ${view.clusters.length} clusters need attention</span>`;
  return `<header><h1>Fleet status</h1><p class="facts">${facts.join(' · ')}</p><p>${verdict}</p></header>`;
}

function notesHtml(view: FleetView): string {
  if (view.notes.length === 0) return '';
  return `<section class="notes" id="notes"><h2>Problems with the report</h2><ul>${view.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>`;
}

function rolloutsHtml(view: FleetView): string {
  if (view.rollouts === undefined) return '';
  const items = view.rollouts.map(
    (r) =>
      `<div class="rollout"><h3>${escapeHtml(r.policy)}: ${escapeHtml(r.state)}${r.target === undefined ? '' : ` at <code>${escapeHtml(short(r.target))}</code>`}</h3><p>${escapeHtml(r.reason)}</p><ol>${r.waves
        .map((w) => `<li><b>${escapeHtml(w.name)}</b> ${escapeHtml(w.state)}${w.reason === '' ? '' : `: ${escapeHtml(w.reason)}`}</li>`)
        .join('')}</ol></div>`,
  );
  return `<section id="rollouts"><h2>Rollouts</h2>${items.join('')}</section>`;
}

function proposalsHtml(view: FleetView): string {
  if (view.proposals === undefined) return '';
  const items = view.proposals.map((p) => `<li><b>${escapeHtml(p.cluster)}</b>${p.ref === undefined ? '' : ` <code>${escapeHtml(p.ref)}</code>`}: ${escapeHtml(p.message)}</li>`);
  return `<section id="proposals"><h2>Failover proposals</h2><ul>${items.join('')}</ul></section>`;
}

export function statusPage(view: FleetView): string {
  const data = { ...view, clusters: view.clusters.map(pageRow), pageRows: PAGE_ROWS, chartBars: CHART_BARS };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="manifold">
<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">
<title>Fleet status${view.ok ? '' : ' (needs attention)'}</title>
<style>${STYLE}</style>
</head>
<body>
${headerHtml(view)}
${notesHtml(view)}
<nav class="controls">
<input id="search" type="search" placeholder="filter clusters by name, result or problem" aria-label="filter clusters" autocomplete="off">
<div class="chips" role="group" aria-label="state">
${countsHtml(view)}
</div>
<p id="shown" aria-live="polite"></p>
</nav>
<section><h2>Clusters</h2><div id="grid" class="grid" aria-label="fleet grid"></div></section>
<section id="detail" hidden></section>
<section><table id="clusters"><thead><tr><th>cluster</th><th>result</th><th>ready</th><th>applied</th><th>behind</th>${view.rollout ? '<th>wave</th><th>gate</th>' : ''}<th class="n">objects</th><th class="n">unhealthy</th><th class="n">drifted</th><th class="n">failed</th><th>${view.report.now === undefined ? 'finished' : 'age'}</th></tr></thead><tbody></tbody></table>
<p class="pager"><button type="button" id="prev">previous</button> <span id="page"></span> <button type="button" id="next">next</button></p></section>
${rolloutsHtml(view)}
${proposalsHtml(view)}
<section><h2>Drift and failures</h2><div id="problems"></div></section>
<section><h2>Workloads: ready / desired replicas per cluster</h2><div id="workloads"></div></section>
<noscript><p>The cluster list needs JavaScript; the data is in clusters/*.json beside this page.</p></noscript>
<script type="application/json" id="fleet-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root{--ok:#1a7f37;--deg:#bf8700;--fail:#cf222e;--unr:#6e7781;--orph:#8250df;--bg:#fff;--fg:#1f2328;--mute:#656d76;--line:#d0d7de}
*{box-sizing:border-box}body{margin:0 auto;max-width:1200px;padding:16px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}code{font:12px ui-monospace,monospace}
.facts{color:var(--mute);margin:0}.verdict{font-weight:600}.verdict.ok{color:var(--ok)}.verdict.bad{color:var(--fail)}
.controls{position:sticky;top:0;background:var(--bg);padding:8px 0;border-bottom:1px solid var(--line)}
#search{width:100%;padding:6px 8px;font:inherit;border:1px solid var(--line);border-radius:6px}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}.chip{font:inherit;border:1px solid var(--line);border-radius:12px;background:#f6f8fa;padding:2px 10px;cursor:pointer}
.chip[aria-pressed=true]{outline:2px solid var(--fg)}#shown{color:var(--mute);margin:6px 0 0}
.grid{display:flex;flex-wrap:wrap;gap:3px}.tile{width:14px;height:14px;border-radius:3px;border:0;padding:0;cursor:pointer}
.grid.big .tile{width:28px;height:28px;border-radius:5px}.tile.behind{opacity:.55}.tile.stale,.chip.s-stale{outline:2px dashed var(--orph)}
.s-Synced{background:var(--ok);color:#fff}.s-Degraded{background:var(--deg);color:#fff}.s-Failed{background:var(--fail);color:#fff}.s-Unreachable{background:var(--unr);color:#fff}.s-Orphaned{background:var(--orph);color:#fff}
.chip.s-problem,.chip.s-behind,.chip.s-stale{background:#fff}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);white-space:nowrap}th.n,td.n{text-align:right}
td .badge{border-radius:10px;padding:0 8px;font-size:12px}tr.sel{background:#fff8c5}td.name button{font:inherit;background:none;border:0;padding:0;color:#0969da;cursor:pointer}
.pager{color:var(--mute)}.problem{margin:0 0 10px}.problem h3{font-size:14px;margin:0}.problem li{white-space:pre-wrap;word-break:break-word}
.paths{color:var(--mute);font:12px ui-monospace,monospace}.chart{display:block;margin:4px 0 12px}.chart .d{fill:#d0d7de}.chart .r{fill:var(--ok)}.chart .short{fill:var(--deg)}
.workload h3{font-size:14px;margin:10px 0 2px}
#detail{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin-top:12px}.notes{border:1px solid var(--fail);border-radius:6px;padding:4px 12px}
`.trim();

/**
 * The page's script: plain ES2020, no modules, no globals beyond one IIFE.
 * Every value from the data goes into the DOM as text (textContent), never as HTML.
 */
const SCRIPT = String.raw`
(function () {
  'use strict';
  var started = performance.now();
  var view = JSON.parse(document.getElementById('fleet-data').textContent);
  var rows = view.clusters;
  var state = { query: '', filter: 'all', page: 0, selected: null };
  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function short(c) { return c === undefined ? 'none' : /^[0-9a-f]{40}$/.test(c) ? c.slice(0, 12) : c; }
  function isBehind(r) { return r.behind !== undefined ? r.behind > 0 : view.tip !== undefined && r.applied !== view.tip.commit; }
  function haystack(r) {
    if (r._hay === undefined) {
      r._hay = (r.cluster + ' ' + r.result + (r.stale ? ' stale' : '') + ' ' + r.problems.map(function (p) { return p.subject + ' ' + p.message; }).join(' ')).toLowerCase();
    }
    return r._hay;
  }
  function matches(r) {
    var f = state.filter;
    if (f === 'problems' && r.ok) return false;
    if (f === 'Stale' && !r.stale) return false;
    if (f === 'behind' && !isBehind(r)) return false;
    if (f !== 'all' && f !== 'problems' && f !== 'Stale' && f !== 'behind' && r.result !== f) return false;
    return state.query === '' || haystack(r).indexOf(state.query) >= 0;
  }

  function renderGrid(shown) {
    var grid = document.getElementById('grid');
    var frag = document.createDocumentFragment();
    shown.forEach(function (r) {
      var cls = 'tile s-' + r.result + (r.stale ? ' stale' : '') + (isBehind(r) ? ' behind' : '');
      var t = el('button', { type: 'button', class: cls, 'data-cluster': r.cluster, title: r.cluster + ': ' + r.result + (r.stale ? ' (stale)' : '') + (isBehind(r) ? ' (behind the tip)' : ''), 'aria-label': r.cluster + ' ' + r.result });
      frag.appendChild(t);
    });
    grid.classList.toggle('big', shown.length <= 100);
    grid.replaceChildren(frag);
  }

  function cell(tr, text, cls) { var td = el('td', cls ? { class: cls } : undefined, text); tr.appendChild(td); return td; }

  function renderTable(shown) {
    var pages = Math.max(1, Math.ceil(shown.length / view.pageRows));
    if (state.page >= pages) state.page = pages - 1;
    var body = document.querySelector('#clusters tbody');
    var frag = document.createDocumentFragment();
    shown.slice(state.page * view.pageRows, (state.page + 1) * view.pageRows).forEach(function (r) {
      var tr = el('tr', { 'data-cluster': r.cluster, class: r.cluster === state.selected ? 'sel' : '' });
      var name = el('td', { class: 'name' });
      name.appendChild(el('button', { type: 'button', 'data-cluster': r.cluster }, r.cluster + (r.stale ? ' (stale)' : '')));
      tr.appendChild(name);
      var res = el('td');
      res.appendChild(el('span', { class: 'badge s-' + r.result }, r.result));
      tr.appendChild(res);
      cell(tr, r.readiness);
      cell(tr, short(r.applied));
      cell(tr, r.behind === undefined ? (isBehind(r) ? '?' : '') : r.behind === 0 ? 'at tip' : r.behind + ' behind');
      if (view.rollout) { cell(tr, r.rollout ? r.rollout.wave : ''); cell(tr, r.rollout ? r.rollout.gate : ''); }
      cell(tr, String(r.objects), 'n');
      cell(tr, String(r.unhealthy), 'n');
      cell(tr, String(r.drifted), 'n');
      cell(tr, String(r.failed), 'n');
      cell(tr, r.age === undefined ? r.finishedAt : r.age);
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
    document.getElementById('page').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
    document.getElementById('prev').disabled = state.page === 0;
    document.getElementById('next').disabled = state.page >= pages - 1;
  }

  function problemBlock(r) {
    var div = el('div', { class: 'problem', 'data-cluster': r.cluster });
    div.appendChild(el('h3', undefined, r.cluster + ': ' + r.result + (r.stale ? ', stale (no longer in the inventory)' : '')));
    var ul = el('ul');
    r.problems.forEach(function (p) {
      var li = el('li', { class: 'k-' + p.kind }, p.subject + ': ' + p.message);
      if (p.paths) li.appendChild(el('div', { class: 'paths' }, p.paths.join(', ')));
      ul.appendChild(li);
    });
    div.appendChild(ul);
    return div;
  }

  function renderProblems(shown) {
    var troubled = shown.filter(function (r) { return r.problems.length > 0 || r.stale; });
    var box = document.getElementById('problems');
    var frag = document.createDocumentFragment();
    troubled.slice(0, view.pageRows).forEach(function (r) { frag.appendChild(problemBlock(r)); });
    if (troubled.length === 0) frag.appendChild(el('p', undefined, 'No drift or failures in the clusters shown.'));
    if (troubled.length > view.pageRows) frag.appendChild(el('p', undefined, (troubled.length - view.pageRows) + ' more clusters with problems: narrow the filter.'));
    box.replaceChildren(frag);
  }

  function chart(bars, label) {
    var w = 10, h = 48, max = 1;
    bars.forEach(function (b) { if (b.desired > max) max = b.desired; if (b.ready > max) max = b.ready; });
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('width', String(Math.max(1, bars.length) * w));
    svg.setAttribute('height', String(h));
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    bars.forEach(function (b, i) {
      var dh = Math.round((b.desired / max) * h), rh = Math.round((b.ready / max) * h);
      var d = document.createElementNS(SVG, 'rect');
      d.setAttribute('class', 'd'); d.setAttribute('x', String(i * w)); d.setAttribute('y', String(h - dh)); d.setAttribute('width', String(w - 2)); d.setAttribute('height', String(dh));
      var r = document.createElementNS(SVG, 'rect');
      r.setAttribute('class', b.ready < b.desired ? 'r short' : 'r'); r.setAttribute('x', String(i * w)); r.setAttribute('y', String(h - rh)); r.setAttribute('width', String(w - 2)); r.setAttribute('height', String(rh));
      var t = document.createElementNS(SVG, 'title');
      t.textContent = b.cluster + ': ' + b.ready + '/' + b.desired + ' ready';
      r.appendChild(t);
      svg.appendChild(d); svg.appendChild(r);
    });
    return svg;
  }

  function renderWorkloads(shown) {
    var names = {};
    shown.forEach(function (r) { names[r.cluster] = true; });
    var box = document.getElementById('workloads');
    var frag = document.createDocumentFragment();
    view.workloads.forEach(function (w) {
      var bars = w.clusters.filter(function (c) { return names[c.cluster]; });
      if (bars.length === 0) return;
      var ready = 0, desired = 0;
      bars.forEach(function (b) { ready += b.ready; desired += b.desired; });
      var div = el('div', { class: 'workload' });
      div.appendChild(el('h3', undefined, w.id + ': ' + ready + '/' + desired + ' ready in ' + bars.length + ' cluster' + (bars.length === 1 ? '' : 's')));
      div.appendChild(chart(bars.slice(0, view.chartBars), w.id + ' ready and desired replicas per cluster'));
      if (bars.length > view.chartBars) div.appendChild(el('p', undefined, 'first ' + view.chartBars + ' of ' + bars.length + ' clusters shown; filter to see others'));
      frag.appendChild(div);
    });
    if (!frag.firstChild) frag.appendChild(el('p', undefined, 'No live replica counts in this report.'));
    box.replaceChildren(frag);
  }

  function renderDetail() {
    var box = document.getElementById('detail');
    var r = rows.find(function (x) { return x.cluster === state.selected; });
    if (!r) { box.hidden = true; box.replaceChildren(); return; }
    box.hidden = false;
    var frag = document.createDocumentFragment();
    frag.appendChild(el('h2', undefined, r.cluster));
    frag.appendChild(el('p', undefined, r.result + ', ' + r.readiness + ' (' + r.readinessFrom + '), applied ' + short(r.applied) + ', last attempt ' + short(r.attempted) + ', finished ' + r.finishedAt));
    if (r.problems.length > 0 || r.stale) frag.appendChild(problemBlock(r));
    var bars = [];
    view.workloads.forEach(function (w) {
      var mine = w.clusters.find(function (c) { return c.cluster === r.cluster; });
      if (mine) bars.push({ cluster: w.id, desired: mine.desired, ready: mine.ready });
    });
    if (bars.length > 0) frag.appendChild(chart(bars, r.cluster + ' workloads'));
    box.replaceChildren(frag);
  }

  function render() {
    var shown = rows.filter(matches);
    document.getElementById('shown').textContent = 'showing ' + shown.length + ' of ' + rows.length + ' clusters';
    renderGrid(shown);
    renderTable(shown);
    renderProblems(shown);
    renderWorkloads(shown);
    renderDetail();
  }

  function select(name) { state.selected = state.selected === name ? null : name; render(); }

  var timer;
  document.getElementById('search').addEventListener('input', function (e) {
    clearTimeout(timer);
    var value = e.target.value;
    timer = setTimeout(function () { state.query = value.trim().toLowerCase(); state.page = 0; render(); }, 60);
  });
  document.querySelectorAll('.chip').forEach(function (chip) {
    chip.addEventListener('click', function () {
      state.filter = chip.getAttribute('data-state');
      state.page = 0;
      document.querySelectorAll('.chip').forEach(function (c) { c.setAttribute('aria-pressed', String(c === chip)); });
      render();
    });
  });
  document.getElementById('prev').addEventListener('click', function () { state.page -= 1; render(); });
  document.getElementById('next').addEventListener('click', function () { state.page += 1; render(); });
  document.body.addEventListener('click', function (e) {
    var target = e.target.closest('[data-cluster]');
    if (target && (target.classList.contains('tile') || target.tagName === 'BUTTON')) select(target.getAttribute('data-cluster'));
  });
  render();
  // How long the first render took (parse of the data included): the browser tests hold it to a budget.
  document.body.setAttribute('data-render-ms', String(Math.round(performance.now() - started)));
  document.body.setAttribute('data-ready', 'true');
})();
`.trim();
