// sf docs: the graph (Cytoscape.js, positions laid out by dagre when the site was generated),
// the search, and a node's page. Plain browser JavaScript, no build step; the data is
// window.SF_DOCS (sf-docs-data.js). window.sfDocs exposes the state for tests and scripts.
(function () {
  'use strict';
  const data = window.SF_DOCS;
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const COLORS = { model: '#3b6fd8', source: '#2e9e6b', seed: '#9a6bd1' };
  const $ = (sel) => document.querySelector(sel);
  let selected = null;

  document.title = `${data.project} · sf docs`;
  $('#project').textContent = `${data.project} · sf docs`;
  $('#meta').textContent = `target ${data.target.name} (${data.target.type}) · generated ${data.generatedAt.replace('T', ' ').slice(0, 19)} UTC`;

  // ---- graph ----------------------------------------------------------------------------
  const position = new Map(data.layout.map((p) => [p.id, { x: p.x, y: p.y }]));
  const cy = cytoscape({
    container: $('#graph'),
    elements: [
      // A box as wide as its name (12 px text: about 7 px a character).
      ...data.nodes.map((n) => ({ data: { id: n.id, label: n.name, kind: n.kind, w: Math.max(60, n.name.length * 7 + 16) }, position: position.get(n.id) })),
      ...data.nodes.flatMap((n) => n.upstream.map((u) => ({ data: { id: `${u}->${n.id}`, source: u, target: n.id } }))),
    ],
    layout: { name: 'preset', fit: true, padding: 24 },
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: 'node', style: {
        shape: 'round-rectangle', width: 'data(w)', height: 26, label: 'data(label)', 'font-size': 12,
        'text-valign': 'center', 'text-halign': 'center', color: '#fff', 'background-color': (e) => COLORS[e.data('kind')] || '#777',
      } },
      { selector: 'edge', style: { width: 1.5, 'line-color': '#b8bfcc', 'target-arrow-color': '#b8bfcc', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8 } },
      { selector: '.faded', style: { opacity: 0.18 } },
      { selector: 'node.lit', style: { 'border-width': 3, 'border-color': '#f4b400' } },
      { selector: 'edge.lit', style: { 'line-color': '#f4b400', 'target-arrow-color': '#f4b400', width: 2.5 } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#111' } },
    ],
  });
  cy.on('tap', 'node', (evt) => select(evt.target.id(), { from: 'graph' }));
  // A click on the background keeps the page, and keeps the node selected for the buttons.
  cy.on('unselect', 'node', (evt) => { if (evt.target.id() === selected) evt.target.select(); });
  document.addEventListener('click', (e) => { if (!e.target.closest('#search, #search-results')) results.hidden = true; });

  /** Ancestors (up) or descendants (down) of a node: exactly what +name / name+ select. */
  function reach(id, direction) {
    const found = new Set();
    const stack = [id];
    while (stack.length) {
      const n = byId.get(stack.pop());
      for (const next of direction === 'up' ? n.upstream : n.downstream) {
        if (!found.has(next)) { found.add(next); stack.push(next); }
      }
    }
    return found;
  }

  let highlighted = [];
  function highlight(direction) {
    if (!selected) return;
    const ids = new Set();
    if (direction === 'up' || direction === 'both') reach(selected, 'up').forEach((i) => ids.add(i));
    if (direction === 'down' || direction === 'both') reach(selected, 'down').forEach((i) => ids.add(i));
    highlighted = [...ids].sort();
    cy.elements().removeClass('lit faded');
    const keep = new Set([selected, ...ids]);
    cy.nodes().forEach((n) => n.addClass(keep.has(n.id()) ? (n.id() === selected ? '' : 'lit') : 'faded'));
    cy.edges().forEach((e) => e.addClass(keep.has(e.source().id()) && keep.has(e.target().id()) ? 'lit' : 'faded'));
  }
  function clearHighlight() {
    highlighted = [];
    cy.elements().removeClass('lit faded');
  }
  $('#show-upstream').onclick = () => highlight('up');
  $('#show-downstream').onclick = () => highlight('down');
  $('#show-both').onclick = () => highlight('both');
  $('#clear-highlight').onclick = clearHighlight;
  $('#fit').onclick = () => cy.fit(undefined, 24);

  // ---- search ---------------------------------------------------------------------------
  const results = $('#search-results');
  function search(q) {
    const term = q.trim().toLowerCase();
    if (!term) return [];
    const hits = [];
    for (const n of data.nodes) {
      const why = [];
      if (n.name.toLowerCase().includes(term)) why.push('name');
      if ((n.description || '').toLowerCase().includes(term)) why.push('description');
      for (const c of n.columns) {
        if (c.name.toLowerCase().includes(term)) why.push(`column ${c.name}`);
        else if ((c.description || '').toLowerCase().includes(term)) why.push(`column ${c.name} (description)`);
      }
      // The node's own name first, then a column's name, then descriptions.
      const rank = why[0] === 'name' ? (n.name.toLowerCase() === term ? 0 : 1) : why.some((w) => /^column [^ ]+$/.test(w)) ? 2 : 3;
      if (why.length) hits.push({ node: n, why, rank });
    }
    return hits.sort((a, b) => a.rank - b.rank || a.node.name.localeCompare(b.node.name));
  }
  $('#search').addEventListener('input', (e) => {
    const hits = search(e.target.value);
    results.replaceChildren(...hits.slice(0, 50).map((h) => {
      const li = el('li', { tabindex: '0', 'data-id': h.node.id }, [
        kindBadge(h.node.kind), h.node.name, el('span', { class: 'why' }, [h.why.slice(0, 3).join(', ') + (h.why.length > 3 ? ` +${h.why.length - 3}` : '')]),
      ]);
      li.onclick = () => { select(h.node.id, { from: 'search' }); results.hidden = true; };
      li.onkeydown = (k) => { if (k.key === 'Enter') li.onclick(); };
      return li;
    }));
    results.hidden = hits.length === 0 && !e.target.value.trim() ? true : false;
    if (hits.length === 0 && e.target.value.trim()) results.replaceChildren(el('li', { class: 'none' }, ['nothing matches']));
  });
  $('#search').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { results.hidden = true; e.target.value = ''; }
    if (e.key === 'Enter') results.querySelector('li[data-id]')?.click();
  });

  // ---- a node's page --------------------------------------------------------------------
  function select(id, opts) {
    const n = byId.get(id);
    if (!n) return;
    selected = id;
    clearHighlight();
    cy.$(':selected').unselect();
    cy.getElementById(id).select();
    if (!opts || opts.from !== 'graph') cy.animate({ center: { eles: cy.getElementById(id) } }, { duration: 200 });
    // One history entry per node visited: Back returns to the previous one.
    if (location.hash !== `#${id}`) history.pushState(null, '', `#${id}`);
    render(n);
  }

  function render(n) {
    const d = $('#details');
    d.replaceChildren();
    d.dataset.node = n.id;
    d.append(el('h2', { id: 'node-title' }, [kindBadge(n.kind), n.name]));
    d.append(el('div', { class: 'sub' }, [`${n.relation}${n.materialized ? ` · ${n.materialized}` : ''}${n.path ? ` · ${n.path}` : ''}`]));
    d.append(n.description ? el('p', { id: 'description' }, [n.description]) : el('p', { class: 'none' }, [`No description (add one in a property file: description: under the ${n.kind === 'source' ? 'source table' : n.kind}).`]));

    if (n.lastRun) {
      const r = n.lastRun;
      d.append(section('Last run', el('p', { id: 'last-run' }, [
        el('span', { class: `status-${r.status}` }, [r.status]),
        r.startedAt ? ` · started ${r.startedAt.replace('T', ' ').slice(0, 19)} UTC` : '',
        r.seconds !== undefined ? ` · ${r.seconds.toFixed(2)} s` : '',
        r.rows !== undefined && r.rows !== null ? ` · ${r.rows} row${r.rows === 1 ? '' : 's'}` : '',
        r.message ? el('div', { class: 'sub' }, [r.message]) : '',
      ])));
    }
    if (n.freshness) {
      const f = n.freshness;
      d.append(section('Freshness', el('p', { id: 'freshness' }, [
        el('span', { class: `status-${f.status}` }, [f.status]),
        f.newest ? ` · newest row ${f.newest}` : '',
        f.ageSeconds !== null && f.ageSeconds !== undefined ? ` · ${humanAge(f.ageSeconds)} old` : '',
      ])));
    }

    if (n.partitions) d.append(section(`Partitions (${n.partitions.rows.length}${n.partitions.gaps.length ? `, ${n.partitions.gaps.length} missing` : ''})`, partitionChart(n.partitions)));
    if (n.tests.length) {
      d.append(section('Data tests', table(['test', 'column', 'severity', 'last status', 'failures', 'quarantined'], n.tests.map((t) => [
        t.name, t.column || '', t.severity, t.status ? el('span', { class: `status-${t.status}` }, [t.status]) : el('span', { class: 'none' }, ['not run']),
        t.failures ?? '', t.quarantined ?? '',
      ]), 'tests')));
    }
    if (n.quarantine) {
      const total = n.quarantine.reduce((s, q) => s + q.rows, 0);
      d.append(section(`Quarantined rows (${total})`, n.quarantine.length
        ? table(['rule', 'rows'], n.quarantine.map((q) => [q.rule, String(q.rows)]), 'quarantine')
        : el('p', { class: 'none' }, ['none'])));
    }

    d.append(section('Columns', n.columns.length ? table(['column', 'type', 'description', 'computed from'], n.columns.map((c) => [
      c.name, c.type || '', c.description || '',
      c.lineage ? el('div', { class: 'lineage', 'data-column': c.name }, [
        c.lineage.direct.length ? c.lineage.direct.map(shortRef).join(', ') : el('span', { class: 'none' }, ['no column (a constant or count(*))']),
        c.lineage.origins.length && c.lineage.origins.join() !== c.lineage.direct.join() ? el('div', { class: 'sub' }, [`from sources: ${c.lineage.origins.map(shortRef).join(', ')}`]) : '',
      ]) : '',
    ]), 'columns') : el('p', { class: 'none' }, ['No columns known: build it, then run sf docs generate again.'])));
    if (n.lineageError) d.append(el('p', { id: 'lineage-error', class: 'none' }, [`Column lineage is not shown for this model: ${n.lineageError}`]));

    if (n.compiledSql) {
      d.append(section('Compiled SQL', el('pre', { id: 'sql-compiled' }, [n.compiledSql])));
      d.append(el('details', {}, [el('summary', {}, ['Raw SQL (the template)']), el('pre', { id: 'sql-raw' }, [n.rawSql || ''])]));
    }
    if (Object.keys(n.config).length) d.append(el('details', {}, [el('summary', {}, ['Config']), el('pre', { id: 'config' }, [JSON.stringify(n.config, null, 2)])]));

    d.append(section('Lineage', el('p', {}, [
      'Upstream: ', ...links(n.upstream), el('br'), 'Downstream: ', ...links(n.downstream),
    ])));
    d.scrollTop = 0;
  }

  /** Rows per partition as bars; a missing partition between the first and the last in red. */
  function partitionChart(p) {
    const keys = [...p.rows.map((r) => r.key), ...p.gaps].sort();
    const rows = new Map(p.rows.map((r) => [r.key, r.rows ?? 0]));
    const max = Math.max(1, ...rows.values());
    const w = Math.max(3, Math.min(14, Math.floor(560 / Math.max(1, keys.length))));
    const h = 80;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('id', 'partition-chart');
    // Scaled to the page's width, however many partitions.
    svg.setAttribute('viewBox', `0 0 ${keys.length * w + 2} ${h + 2}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', String(h + 2));
    svg.dataset.partitions = String(p.rows.length);
    svg.dataset.gaps = String(p.gaps.length);
    keys.forEach((k, i) => {
      const gap = !rows.has(k);
      const v = gap ? max : rows.get(k);
      const r = document.createElementNS(ns, 'rect');
      r.setAttribute('x', String(i * w + 1));
      r.setAttribute('width', String(Math.max(1, w - 1)));
      r.setAttribute('y', String(gap ? h - 6 : h - Math.max(1, (v / max) * h)));
      r.setAttribute('height', String(gap ? 6 : Math.max(1, (v / max) * h)));
      r.setAttribute('class', gap ? 'gap' : 'bar');
      const t = document.createElementNS(ns, 'title');
      t.textContent = gap ? `${k}: missing` : `${k}: ${rows.get(k)} rows`;
      r.append(t);
      svg.append(r);
    });
    const first = p.rows[0]?.key ?? '';
    const last = p.rows[p.rows.length - 1]?.key ?? '';
    return el('div', {}, [svg, el('div', { class: 'sub' }, [
      `${first} .. ${last}; ${p.rows.reduce((s, r) => s + (r.rows ?? 0), 0)} rows`,
      p.gaps.length ? ` · missing: ${p.gaps.slice(0, 10).join(', ')}${p.gaps.length > 10 ? ' ...' : ''}` : ' · no gaps',
    ])]);
  }

  // ---- small helpers --------------------------------------------------------------------
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children || []) if (c !== '' && c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  function section(title, body) {
    return el('div', { class: 'section' }, [el('h3', {}, [title]), body]);
  }
  function table(head, rows, id) {
    return el('table', { id }, [
      el('thead', {}, [el('tr', {}, head.map((h) => el('th', {}, [h])))]),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, [c]))))),
    ]);
  }
  function kindBadge(kind) {
    const b = el('span', { class: 'kind' }, [kind]);
    b.style.background = COLORS[kind] || '#777';
    return b;
  }
  function links(ids) {
    if (!ids.length) return [el('span', { class: 'none' }, ['none'])];
    return ids.flatMap((id, i) => {
      const a = el('a', { href: `#${id}` }, [byId.get(id)?.name ?? id]);
      a.onclick = (e) => { e.preventDefault(); select(id); };
      return i ? [', ', a] : [a];
    });
  }
  /** `model.shop.stg_orders.order_ts` -> `stg_orders.order_ts`. */
  function shortRef(ref) {
    for (const n of data.nodes) if (ref.startsWith(`${n.id}.`)) return `${n.name}.${ref.slice(n.id.length + 1)}`;
    return ref;
  }
  function humanAge(s) {
    if (s < 120) return `${Math.round(s)} s`;
    if (s < 7200) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} days`;
  }

  window.sfDocs = {
    cy,
    select,
    highlight,
    selected: () => selected,
    highlighted: () => [...highlighted],
    reach: (id, direction) => [...reach(id, direction)].sort(),
  };
  window.addEventListener('hashchange', () => { const id = decodeURIComponent(location.hash.slice(1)); if (byId.has(id) && id !== selected) select(id); });
  const start = decodeURIComponent(location.hash.slice(1));
  if (byId.has(start)) select(start);
})();
