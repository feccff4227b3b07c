"""HTML pages of the local web app: plain strings, inline CSS and a little inline JavaScript.

No template engine and no external resource (no CDN, no web font): every page works offline.
All text from files, users or the database goes through :func:`runmuscles.report.svg.esc`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from runmuscles.report.colour import group_colour
from runmuscles.report.svg import el, esc, svg, text, title

__all__ = [
    "FAVICON_SVG",
    "error_page",
    "explore_page",
    "history_page",
    "home_page",
    "report_page",
    "weekly_chart_svg",
]

#: A small icon (a purple disc with a white "m"), served at /favicon.ico.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" '
    'fill="#6a2c91"/><text x="16" y="22" font-size="18" text-anchor="middle" fill="#fff" '
    'font-family="sans-serif">m</text></svg>'
)

_CSS = """
:root{--ink:#1d1d24;--muted:#666;--line:#e2dfe8;--card:#fff;--bg:#f6f4f9;--accent:#6a2c91}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;
color:var(--ink);background:var(--bg)}
nav{background:#2b1740;color:#fff;padding:10px 22px;display:flex;gap:18px;align-items:center}
nav a{color:#fff;text-decoration:none;font-weight:600}
nav a.here{text-decoration:underline}
nav .who{margin-left:auto;font-size:13px;opacity:.85}
main{max-width:1100px;margin:0 auto;padding:10px 18px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:14px 20px;margin:14px 0}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:0 0 10px;color:#3a2350}
.note{color:var(--muted);font-size:13px}
.msg{padding:6px 10px;border-radius:6px;margin:8px 0;display:none}
.msg.err{display:block;background:#fde8e8;border-left:4px solid #c0392b}
.msg.ok{display:block;background:#e8f6ea;border-left:4px solid #2e8b57}
table.list{border-collapse:collapse;width:100%}
table.list th,table.list td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line)}
table.list td.num,table.list th.num{text-align:right}
button{font:inherit;padding:4px 12px;border-radius:6px;border:1px solid #bbb;background:#fff;
cursor:pointer}
button.primary{background:var(--accent);color:#fff;border-color:var(--accent)}
button.danger{color:#a00}
label{margin-right:14px}
input[type=number]{width:6em}
input[type=range]{width:320px;vertical-align:middle}
.two{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
svg{max-width:100%;height:auto}
.acwr{font-weight:600;border-radius:4px;padding:1px 6px}
.z0{background:#e3ecf7}.z1{background:#dff3e2}.z2{background:#fff0cc}.z3{background:#f9d3d3}
"""

_COMMON_JS = """
const PROFILE = document.body.dataset.profile;
function q(path){return path + (path.includes('?') ? '&' : '?') + 'profile=' +
  encodeURIComponent(PROFILE);}
function show(id, text, ok){const m=document.getElementById(id); m.textContent=text;
  m.className='msg ' + (ok ? 'ok' : 'err');}
async function api(method, path, body){
  const r = await fetch(q(path), {method, body});
  let data = null; try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) throw new Error((data && data.error) || ('HTTP ' + r.status));
  return data;}
"""

_HOME_JS = """
document.getElementById('upload').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = document.getElementById('file').files[0];
  if (!f) { show('upload-msg', 'choose a FIT, GPX or TCX file first', false); return; }
  const fd = new FormData(); fd.append('file', f);
  show('upload-msg', 'analysing ' + f.name + ' ...', true);
  try { const r = await api('POST', '/api/runs', fd); window.location = r.report_url; }
  catch (e) { show('upload-msg', e.message, false); }
});
document.getElementById('profile').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = JSON.stringify({mass_kg: parseFloat(document.getElementById('mass').value),
    height_m: parseFloat(document.getElementById('height').value)});
  try {
    const r = await fetch(q('/api/profile'), {method: 'PUT', body,
      headers: {'Content-Type': 'application/json'}});
    const d = await r.json(); if (!r.ok) throw new Error(d.error);
    show('profile-msg', 'saved: ' + d.mass_kg + ' kg, ' + d.height_m + ' m', true);
  } catch (e) { show('profile-msg', e.message, false); }
});
for (const b of document.querySelectorAll('button[data-delete]')) {
  b.addEventListener('click', async () => {
    if (!confirm('Delete this run from the history?')) return;
    try { await api('DELETE', '/api/runs/' + b.dataset.delete);
          b.closest('tr').remove(); }
    catch (e) { show('upload-msg', e.message, false); }
  });
}
"""

_EXPLORE_JS = """
const sp = document.getElementById('speed'), gr = document.getElementById('grade');
let seq = 0;
function fmt(x, d){return Number(x).toFixed(d);}
async function update(){
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
}
sp.addEventListener('input', update); gr.addEventListener('input', update);
"""


def _page(title_text: str, body: str, *, profile: str, here: str = "", js: str = "") -> str:
    p = quote(profile)
    links = "".join(
        f'<a href="{href}?profile={p}"{" class=here" if key == here else ""}>{label}</a>'
        for key, href, label in (
            ("home", "/", "Runs"),
            ("history", "/history", "Weekly load"),
            ("explore", "/explore", "Explore"),
        )
    )
    script = f"<script>{_COMMON_JS}{js}</script>" if js else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title_text)} - runmuscles</title><style>{_CSS}</style></head>"
        f'<body data-profile="{esc(profile)}"><nav><a href="/?profile={p}">runmuscles</a>'
        f'{links}<span class="who">profile: {esc(profile)}</span></nav>'
        f"<main>{body}</main>{script}</body></html>\n"
    )


def error_page(status: int, message: str, *, profile: str = "default") -> str:
    """A page that says what went wrong and what to do."""
    body = (
        f"<section><h1>Error {status}</h1><p>{esc(message)}</p>"
        '<p><a href="/">Back to your runs</a></p></section>'
    )
    return _page(f"error {status}", body, profile=profile)


def _km(m: float | None) -> str:
    return f"{m / 1000:.2f}" if isinstance(m, int | float) else "-"


def _hms(s: float | None) -> str:
    if not isinstance(s, int | float):
        return "-"
    s = round(s)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def home_page(profile: Mapping[str, Any], runs: Sequence[Mapping[str, Any]], max_mb: float) -> str:
    """Upload form, profile form and the run history with delete buttons."""
    rows = "".join(
        f'<tr data-run="{r["id"]}"><td><a href="{esc(r["report_url"])}">'
        f"{esc((r['start_time'] or r['uploaded_at'] or '')[:16].replace('T', ' '))}</a></td>"
        f"<td>{esc(r['filename'])}</td><td>{esc(r['format'])}</td>"
        f'<td class="num">{_km(r["distance_m"])}</td><td class="num">{_hms(r["duration_s"])}</td>'
        f'<td class="num">{r["ascent_m"] or 0:.0f}</td>'
        f'<td><button class="danger" data-delete="{r["id"]}">Delete</button></td></tr>'
        for r in runs
    )
    table = (
        '<table class="list" id="runs"><thead><tr><th>start (UTC)</th><th>file</th>'
        '<th>format</th><th class="num">km</th><th class="num">time</th>'
        f'<th class="num">climb m</th><th></th></tr></thead><tbody>{rows}</tbody></table>'
        if runs
        else '<p class="note" id="runs">No runs yet: upload one above.</p>'
    )
    body = (
        "<section><h1>What did your run work?</h1>"
        '<form id="upload" action="/api/runs" method="post" enctype="multipart/form-data">'
        '<input type="file" id="file" name="file" accept=".fit,.gpx,.tcx" required> '
        '<button class="primary" type="submit">Analyse</button></form>'
        f'<p class="note">FIT, GPX or TCX from your watch or app, up to {max_mb:g} MB. The file '
        "is analysed in memory on this computer and never leaves it.</p>"
        '<div id="upload-msg" class="msg"></div></section>'
        "<section><h2>Your body</h2>"
        '<form id="profile"><label>body mass <input type="number" id="mass" step="0.1" '
        f'min="30" max="200" value="{profile["mass_kg"]:g}"> kg</label>'
        '<label>height <input type="number" id="height" step="0.01" min="1.2" max="2.3" '
        f'value="{profile["height_m"]:g}"> m</label><button type="submit">Save</button></form>'
        '<p class="note">Used by every analysis from now on (runs already stored keep the body '
        'they were analysed with).</p><div id="profile-msg" class="msg"></div></section>'
        f"<section><h2>Your runs</h2>{table}</section>"
    )
    return _page("runs", body, profile=str(profile["name"]), here="home", js=_HOME_JS)


def report_page(report_html: str, *, profile: str, run_id: int) -> str:
    """The stored report with a small navigation bar added at the top."""
    p = quote(profile)
    bar = (
        '<nav style="background:#2b1740;padding:8px 22px;font:14px system-ui,sans-serif">'
        f'<a style="color:#fff" href="/?profile={p}">&larr; all runs</a> &nbsp; '
        f'<a style="color:#fff" href="/history?profile={p}">weekly load</a>'
        f'<span style="color:#ccc;float:right">run {run_id}</span></nav>'
    )
    head, sep, rest = report_html.partition("<body>")
    return head + sep + bar + rest if sep else bar + report_html


# ------------------------------------------------------------------------- weekly load
def weekly_chart_svg(weekly: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """Stacked bars of work per group (kJ) per ISO week, with a legend."""
    weeks: list[str] = list(weekly["weeks"])
    groups: list[str] = list(weekly["groups"])
    totals = [sum(weekly["work_j"][g][i] for g in groups) for i in range(len(weeks))]
    top = max(totals, default=0.0) or 1.0
    w, h, left, bottom, right = 760.0, 300.0, 56.0, 40.0, 150.0
    plot_w, plot_h = w - left - right, h - bottom - 28.0
    bw = plot_w / max(len(weeks), 1)
    axis = {"x1": left, "y1": 28.0, "x2": left, "y2": 28.0 + plot_h, "stroke": "#999"}
    parts = [el("line", axis)]
    for f in (0.0, 0.5, 1.0):
        y = 28.0 + plot_h * (1 - f)
        parts.append(text(left - 6, y + 4, f"{top * f / 1000:.3g}", {"text-anchor": "end"}))
    parts.append(text(4.0, 12.0, "work, kJ", {"fill": "#333"}))
    for i, week in enumerate(weeks):
        x, y = left + i * bw + 3, 28.0 + plot_h
        for g in groups:
            v = weekly["work_j"][g][i]
            if v <= 0:
                continue
            bh = plot_h * v / top
            y -= bh
            rect = {"x": x, "y": y, "width": bw - 6, "height": bh, "fill": group_colour(g)}
            rect |= {"data-group": g, "data-week": week}
            tip = title(f"week of {week}: {labels.get(g, g)} {v / 1000:.1f} kJ")
            parts.append(el("rect", rect, tip))
        if i % max(1, len(weeks) // 8) == 0:
            parts.append(
                text(left + i * bw + bw / 2, h - bottom + 16, week[5:], {"text-anchor": "middle"})
            )
    for j, g in enumerate(groups):
        y = 20.0 + 16 * j
        key = {"x": w - right + 12, "y": y - 9, "width": 10.0, "height": 10.0}
        parts.append(el("rect", key | {"fill": group_colour(g)}))
        parts.append(text(w - right + 27, y, labels.get(g, g.replace("_", " "))))
    attrs = {"class": "weekly", "role": "img", "aria-label": "weekly work per muscle group"}
    return svg(w, h, "".join(parts), attrs)


def _zone(r: float | None, zones: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    if r is None:
        return "", "no chronic load yet"
    for i, z in enumerate(zones):
        if r >= z["from"] and (z["to"] is None or r < z["to"]):
            return f"z{i}", str(z["label"])
    return "", ""


def history_page(weekly: Mapping[str, Any], labels: Mapping[str, str], *, profile: str) -> str:
    """Weekly work per group and the acute:chronic workload ratio per group."""
    groups = list(weekly["groups"])
    if not groups:
        body = (
            "<section><h1>Weekly load</h1><p class='note'>No runs in these weeks yet: upload "
            "one on the <a href='/'>runs page</a>.</p></section>"
        )
        return _page("weekly load", body, profile=profile, here="history")
    zones = weekly["zones"]
    weeks = weekly["weeks"]
    head = "".join(f'<th class="num">{esc(w[5:])}</th>' for w in weeks[-8:])
    rows = []
    for g in groups:
        now = weekly["acwr_now"][g]
        cls, zlabel = _zone(now, zones)
        past = "".join(
            f'<td class="num">{"-" if r is None else f"{r:.2f}"}</td>'
            for r in weekly["acwr"][g][-8:]
        )
        rows.append(
            f'<tr data-group="{esc(g)}"><td>{esc(labels.get(g, g))}</td>'
            f'<td class="num">{weekly["acute_j"][g] / 1000:.1f}</td>'
            f'<td class="num">{weekly["chronic_j_per_week"][g] / 1000:.1f}</td>'
            f'<td class="num"><span class="acwr {cls}" data-acwr="{esc(g)}">'
            f"{'-' if now is None else f'{now:.2f}'}</span></td><td>{esc(zlabel)}</td>{past}</tr>"
        )
    zone_text = "; ".join(
        f"{z['label']} {z['from']:g}" + (f"-{z['to']:g}" if z["to"] is not None else "+")
        for z in zones
    )
    body = (
        f"<section><h1>Weekly load</h1>{weekly_chart_svg(weekly, labels)}"
        '<p class="note">Mechanical work (concentric + eccentric) of each muscle group, summed '
        "over the runs started in each ISO week (Monday to Sunday, UTC).</p></section>"
        "<section><h2>Acute:chronic workload ratio per muscle group</h2>"
        '<table class="list" id="acwr"><thead><tr><th>group</th><th class="num">acute kJ '
        '(7 d)</th><th class="num">chronic kJ/week (28 d)</th><th class="num">ACWR now</th>'
        f"<th>zone</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="note">{esc(weekly["definition"])}. Zones: {esc(zone_text)} '
        f"({esc(weekly['source'])}). {esc(weekly['caveat'])}. The last columns show the ratio "
        "at the end of each recent week.</p></section>"
    )
    return _page("weekly load", body, profile=profile, here="history")


# ----------------------------------------------------------------------------- explore
def explore_page(initial: Mapping[str, Any], body_map: str, *, profile: str) -> str:
    """Speed and grade sliders; numbers and heat map update from ``GET /api/explore``."""
    c, t = initial["condition"], initial["table"]
    (vlo, vhi), (glo, ghi) = t["speed_range"], t["grade_range"]
    rows = "".join(
        f'<tr data-group="{esc(g["id"])}"><td>{esc(g["name"])}</td>'
        f'<td class="num conc">{g["concentric_j_per_stride"]:.1f}</td>'
        f'<td class="num ecc">{g["eccentric_j_per_stride"]:.1f}</td>'
        f'<td class="num perkm">{g["work_j_per_km"]:.0f}</td>'
        f'<td class="num share">{100 * g["share"]:.1f}</td></tr>'
        for g in initial["groups"]
    )
    s = initial["stride"]
    stride_rows = "".join(
        f'<tr><td>{esc(label)}</td><td class="num" data-stride="{key}">{s[key]:.{d}f}</td></tr>'
        for key, label, d in (
            ("cadence_steps_per_min", "cadence, steps/min", 1),
            ("stride_length_m", "stride length, m", 2),
            ("contact_time_s", "contact time, s", 2),
            ("cost_of_transport_j_per_kg_m", "cost of transport, J/kg/m", 1),
            ("achilles_peak_bw", "Achilles peak force, body weights", 1),
            ("patellar_peak_bw", "patellar tendon peak force, body weights", 1),
        )
    )
    body = (
        "<section><h1>Explore: which muscles work at what speed and slope?</h1>"
        f'<p><label>speed <input type="range" id="speed" min="{vlo:g}" max="{vhi:g}" '
        f'step="0.1" value="{c["speed_m_s"]:g}"> <output id="speed-out">'
        f'{c["speed_m_s"]:.1f} m/s</output></label> pace <span id="pace">{esc(c["pace"])}'
        "</span></p>"
        f'<p><label>slope <input type="range" id="grade" min="{glo:g}" max="{ghi:g}" '
        f'step="0.005" value="{c["grade"]:g}"> <output id="grade-out">'
        f'{100 * c["grade"]:.1f} %</output></label></p><div id="explore-msg" class="msg"></div>'
        f'<div class="two"><div>{body_map}</div><div><table class="list" id="groups"><thead>'
        '<tr><th>group</th><th class="num">concentric J/stride</th><th class="num">eccentric '
        'J/stride</th><th class="num">J/km</th><th class="num">share %</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        f'<h2 style="margin-top:14px">Stride</h2><table class="list">{stride_rows}</table>'
        "</div></div>"
        f'<p class="note">Per stride of both legs for a {c["mass_kg"]:g} kg runner (your '
        "profile), from the muscle table; colours on one fixed scale (the largest work per km "
        f"anywhere in the table, {initial['scale_max_j_per_km'] / 1000:.3g} kJ/km), so they "
        "compare across speeds and slopes.</p></section>"
    )
    return _page("explore", body, profile=profile, here="explore", js=_EXPLORE_JS)
