// runmuscles web app: the few interactive parts of the pages (served from /static, so the
// Content-Security-Policy can forbid inline script). Text from the server is always inserted
// with textContent, never as HTML.
'use strict';
const PROFILE = document.body.dataset.profile || 'default';
function q(path) {
  return path + (path.includes('?') ? '&' : '?') + 'profile=' + encodeURIComponent(PROFILE);
}
function show(id, text, kind) {
  const m = document.getElementById(id);
  if (!m) return;
  m.textContent = text;
  m.className = 'msg ' + (kind === true ? 'ok' : kind === false ? 'err' : kind);
}
async function api(method, path, body, headers) {
  const r = await fetch(q(path), {method, body, headers, credentials: 'same-origin'});
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const err = new Error((data && data.error) || ('HTTP ' + r.status));
    err.status = r.status;
    throw err;
  }
  return data;
}
function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

// ---------------------------------------------------------------- one run
const upload = document.getElementById('upload');
if (upload) {
  let busy = false;
  upload.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;  // a double click sends one request
    const f = document.getElementById('file').files[0];
    if (!f) { show('upload-msg', 'choose a FIT, GPX or TCX file first', false); return; }
    const button = upload.querySelector('button[type=submit]');
    busy = true; button.disabled = true;
    const fd = new FormData(); fd.append('file', f);
    show('upload-msg', 'analysing ' + f.name + ' ...', 'info');
    try {
      const r = await api('POST', '/api/runs', fd);
      if (r.duplicate) {
        const m = document.getElementById('upload-msg');
        show('upload-msg', 'already in your history: ' + r.reason + ' ', 'info');
        m.appendChild(el('a', 'open run ' + r.id, {href: r.report_url, id: 'duplicate-link'}));
      } else {
        window.location = r.report_url;
      }
    } catch (e) { show('upload-msg', e.message, false); }
    finally { busy = false; button.disabled = false; }
  });
}

// ----------------------------------------------------------- whole history
const importForm = document.getElementById('import');
function renderSummary(s) {
  const box = document.getElementById('import-summary');
  box.replaceChildren();
  box.classList.remove('hidden');
  box.appendChild(el('p', s.imported + ' imported, ' + s.duplicates + ' already in the history, ' +
    s.skipped + ' skipped, ' + s.failed + ' failed (' + s.total + ' activity files; ' +
    s.ignored_files + ' other files ignored) in ' + s.seconds + ' s', {id: 'import-counts'}));
  const reasons = Object.entries(s.by_reason);
  if (reasons.length) {
    const ul = el('ul', null, {id: 'import-reasons'});
    for (const [why, n] of reasons) ul.appendChild(el('li', n + ' x ' + why));
    box.appendChild(ul);
  }
  const rows = s.items.filter((i) => i.status !== 'imported');
  if (rows.length) {
    const d = el('details'); d.appendChild(el('summary', 'files not imported, and why'));
    const t = el('table', null, {class: 'list', id: 'import-items'});
    for (const i of rows) {
      const tr = el('tr', null, {'data-status': i.status});
      tr.appendChild(el('td', i.name)); tr.appendChild(el('td', i.status));
      const td = el('td', i.reason);
      if (i.id) { td.append(' '); td.appendChild(el('a', 'run ' + i.id, {href: '/runs/' + i.id})); }
      tr.appendChild(td); t.appendChild(tr);
    }
    d.appendChild(t); box.appendChild(d);
  }
}
if (importForm) {
  importForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = document.getElementById('archive').files[0];
    if (!f) { show('import-msg', 'choose your export zip first', false); return; }
    const button = importForm.querySelector('button[type=submit]');
    button.disabled = true;
    const bar = document.getElementById('import-progress');
    bar.classList.remove('hidden'); bar.removeAttribute('value');
    const fd = new FormData(); fd.append('file', f);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', q('/api/import?wait=false'));
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) {
        bar.max = e.total; bar.value = e.loaded;
        show('import-msg', 'sending ' + f.name + ': ' + Math.round(100 * e.loaded / e.total) + ' %', 'info');
      }
    });
    xhr.onerror = () => { show('import-msg', 'the upload failed (connection lost)', false); button.disabled = false; };
    xhr.onload = () => {
      let data = null; try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status !== 202) {
        show('import-msg', (data && data.error) || ('HTTP ' + xhr.status), false);
        button.disabled = false; bar.classList.add('hidden'); return;
      }
      const poll = async () => {
        let s;
        try { s = await api('GET', data.status_url); }
        catch (e) { show('import-msg', e.message, false); button.disabled = false; return; }
        if (s.total) { bar.max = s.total; bar.value = s.done; }
        show('import-msg', 'analysing: ' + s.done + ' of ' + (s.total ?? '?') + ' files, ' +
          s.imported + ' imported so far', 'info');
        if (s.state === 'running') { setTimeout(poll, 400); return; }
        button.disabled = false;
        if (s.state === 'failed') { show('import-msg', 'the import stopped: ' + s.error, false); return; }
        show('import-msg', 'import finished ', true);
        const more = el('a', 'show your runs', {href: q('/'), id: 'import-done'});
        document.getElementById('import-msg').appendChild(more);
        renderSummary(s.summary);
      };
      poll();
    };
    xhr.send(fd);
  });
}

// ------------------------------------------------------------------ profile
const profileForm = document.getElementById('profile');
if (profileForm) {
  profileForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = JSON.stringify({mass_kg: parseFloat(document.getElementById('mass').value),
      height_m: parseFloat(document.getElementById('height').value)});
    try {
      const d = await api('PUT', '/api/profile', body, {'Content-Type': 'application/json'});
      show('profile-msg', 'saved: ' + d.mass_kg + ' kg, ' + d.height_m + ' m', true);
    } catch (e) { show('profile-msg', e.message, false); }
  });
}
for (const b of document.querySelectorAll('button[data-delete]')) {
  b.addEventListener('click', async () => {
    if (!confirm('Delete this run from the history?')) return;
    try { await api('DELETE', '/api/runs/' + b.dataset.delete); b.closest('tr').remove(); }
    catch (e) { show('upload-msg', e.message, false); }
  });
}

// ------------------------------------------------------------------ explore
const sp = document.getElementById('speed'), gr = document.getElementById('grade');
if (sp && gr) {
  let seq = 0;
  const fmt = (x, d) => Number(x).toFixed(d);
  const update = async () => {
    const my = ++seq;
    document.getElementById('speed-out').textContent = fmt(sp.value, 1) + ' m/s';
    document.getElementById('grade-out').textContent = fmt(gr.value * 100, 1) + ' %';
    let d;
    try { d = await api('GET', '/api/explore?speed=' + sp.value + '&grade=' + gr.value); }
    catch (e) { show('explore-msg', e.message, false); return; }
    if (my !== seq) return;  // a newer slider position is on its way
    document.getElementById('explore-msg').className = 'msg';
    document.getElementById('pace').textContent = d.condition.pace;
    for (const [k, v] of Object.entries(d.stride)) {
      const cell = document.querySelector('[data-stride="' + k + '"]');
      if (cell) cell.textContent = fmt(v, k.endsWith('_s') || k.endsWith('_m') ? 2 : 1);
    }
    for (const g of d.groups) {
      const row = document.querySelector('tr[data-group="' + g.id + '"]');
      if (row) {
        row.querySelector('.conc').textContent = fmt(g.concentric_j_per_stride, 1);
        row.querySelector('.ecc').textContent = fmt(g.eccentric_j_per_stride, 1);
        row.querySelector('.perkm').textContent = fmt(g.work_j_per_km, 0);
        row.querySelector('.share').textContent = fmt(100 * g.share, 1);
      }
      for (const m of document.querySelectorAll('[data-muscle="' + g.id + '"]')) {
        m.setAttribute('fill', g.colour); m.dataset.value = g.work_j_per_km;
        const t = m.querySelector('title');
        if (t) t.textContent = g.name + ' - ' + fmt(g.work_j_per_km, 0) + ' J/km';
      }
    }
  };
  sp.addEventListener('input', update); gr.addEventListener('input', update);
}
