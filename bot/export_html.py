"""The knowledge base as one web page: the RACI matrix, a card per entry, search as you type.

One self-contained `index.html` (inline CSS and JS, no fonts, images or scripts from elsewhere),
so it can be opened from disk, attached to a wiki, printed, or served by `mlrole serve`. Every
piece of knowledge-base and Slack text goes through `html.escape`: a title like `<script>` is
shown, never run.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Iterable

from bot.knowledge.model import KnowledgeBase, Responsibility, Role
from bot.org import Org
from bot.people import Contacts, Directory, resolve_role

PART_LETTER = {"accountable": "A", "responsible": "R", "consulted": "C", "informed": "I"}
PART_WORDS = {"accountable": "owner (accountable)", "responsible": "does the work", "consulted": "consulted",
              "informed": "kept informed"}
TITLE = "Who does what in our ML team"


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def anchor(kind: str, entry_id: str) -> str:
    return f"{kind}-{entry_id}"


def _link(kind: str, entry_id: str, text: str) -> str:
    return f'<a href="#{e(anchor(kind, entry_id))}">{e(text)}</a>'


def _search(*parts: Iterable[str] | str) -> str:
    words: list[str] = []
    for part in parts:
        words += [part] if isinstance(part, str) else list(part)
    return e(" ".join(w for w in words if w).lower())


def _people(contacts: Contacts, names: bool) -> str:
    items = []
    for group in contacts.groups:
        label = e(group.label())
        members = group.member_names() if names else ""
        items.append(f"<li><strong>{label}</strong>{': ' + e(members) if members else ''}</li>")
    items += [f"<li>{e(c if c.startswith('#') else '#' + c)}</li>" for c in contacts.channels]
    if names:
        items += [f"<li>{e(u.name)}</li>" for u in contacts.users if u.name]
    return f'<ul class="people">{"".join(items)}</ul>' if items else ""


def _matrix(kb: KnowledgeBase) -> str:
    roles = list(kb.roles.values())
    head = "".join(f'<th scope="col" data-role="{e(r.id)}"><a href="#{e(anchor("role", r.id))}" '
                   f'title="{e(r.title)}"><span>{e(r.title)}</span></a></th>' for r in roles)
    bodies = []
    stages = sorted(kb.stages.values(), key=lambda s: s.order)
    groups = [(s.id, f"{s.order}. {s.title}", kb.in_stage(s.id)) for s in stages]
    orphans = [r for r in kb.responsibilities.values() if r.stage not in kb.stages]
    if orphans:
        groups.append(("other", "Other", orphans))
    for stage_id, stage_title, resps in groups:
        if not resps:
            continue
        rows = [f'<tr class="stage"><th colspan="{len(roles) + 1}" scope="rowgroup">'
                + (_link("stage", stage_id, stage_title) if stage_id in kb.stages else e(stage_title))
                + "</th></tr>"]
        for resp in resps:
            rows.append(_matrix_row(kb, resp, roles, stage_title))
        bodies.append(f'<tbody data-stage="{e(stage_id)}">{"".join(rows)}</tbody>')
    return (f'<div class="matrix-wrap"><table class="raci"><thead><tr><th class="corner" scope="col">'
            f'Responsibility</th>{head}</tr></thead>{"".join(bodies)}</table></div>')


def _matrix_row(kb: KnowledgeBase, resp: Responsibility, roles: list[Role], stage_title: str) -> str:
    target = anchor("responsibility", resp.id)
    involved = [kb.roles[r] for r in resp.roles if r in kb.roles]
    cells = []
    for role in roles:
        part = resp.part_of(role.id)
        if part is None:
            cells.append(f'<td data-role="{e(role.id)}"></td>')
            continue
        letter = PART_LETTER[part]
        cells.append(f'<td data-role="{e(role.id)}" data-part="{letter}" class="p{letter}">'
                     f'<a href="#{e(target)}" title="{e(role.title)}: {e(PART_WORDS[part])}">{letter}</a></td>')
    search = _search(resp.title, resp.aliases, stage_title, [r.title for r in involved],
                     [a for r in involved for a in r.aliases])
    return (f'<tr data-resp="{e(resp.id)}" data-search="{search}"><th scope="row">'
            f'{_link("responsibility", resp.id, resp.title)}</th>{"".join(cells)}</tr>')


def _role_card(kb: KnowledgeBase, role: Role, people: str) -> str:
    owns = kb.owned_by(role.id)
    parts = [f"<p>{e(role.summary)}</p>", "<dl>"]
    if owns:
        parts.append("<dt>Owns</dt><dd>" + ", ".join(_link("responsibility", r.id, r.title) for r in owns) + "</dd>")
    involved = kb.involving(role.id)
    if involved:
        parts.append("<dt>Takes part in</dt><dd>" + ", ".join(
            f'{_link("responsibility", r.id, r.title)} <span class="part">({e(PART_LETTER[p])})</span>'
            for r, p in involved) + "</dd>")
    works = [kb.roles[w] for w in role.works_with if w in kb.roles]
    if works:
        parts.append("<dt>Works with</dt><dd>" + ", ".join(_link("role", w.id, w.title) for w in works) + "</dd>")
    if role.skills:
        parts.append(f"<dt>Skills</dt><dd>{e(', '.join(role.skills))}</dd>")
    if people:
        parts.append(f"<dt>People here</dt><dd>{people}</dd>")
    parts.append("</dl>")
    search = _search(role.title, role.aliases, role.summary, [r.title for r in owns])
    return (f'<article class="card role" id="{e(anchor("role", role.id))}" data-search="{search}">'
            f'<h3>{e(role.title)}</h3>{"".join(parts)}</article>')


def _resp_card(kb: KnowledgeBase, resp: Responsibility) -> str:
    rows = []
    for part in ("accountable", "responsible", "consulted", "informed"):
        ids = (resp.accountable,) if part == "accountable" else getattr(resp, part)
        if ids:
            rows.append(f"<dt>{e(PART_WORDS[part].capitalize())}</dt><dd>"
                        + ", ".join(_link("role", r, kb.roles[r].title) for r in ids if r in kb.roles) + "</dd>")
    search = _search(resp.title, resp.aliases, resp.detail)
    return (f'<article class="card" id="{e(anchor("responsibility", resp.id))}" data-search="{search}">'
            f'<h4>{e(resp.title)}</h4><p>{e(resp.detail)}</p><dl>{"".join(rows)}</dl></article>')


def _text_card(kind: str, entry_id: str, title: str, summary: str, points: Iterable[str],
               roles: Iterable[str], kb: KnowledgeBase, aliases: Iterable[str]) -> str:
    points = list(points)
    role_links = ", ".join(_link("role", r, kb.roles[r].title) for r in roles if r in kb.roles)
    body = f"<p>{e(summary)}</p>"
    if points:
        body += "<ul>" + "".join(f"<li>{e(p)}</li>" for p in points) + "</ul>"
    if role_links:
        body += f'<p class="roles">Roles: {role_links}</p>'
    search = _search(title, aliases, summary)
    return (f'<article class="card" id="{e(anchor(kind, entry_id))}" data-search="{search}">'
            f"<h3>{e(title)}</h3>{body}</article>")


def build_page(kb: KnowledgeBase, org: Org | None = None, directory: Directory | None = None,
               names: bool = True) -> str:
    """The whole page as one string. `names=False` leaves people's names out (groups and channels
    stay), for a page served without authentication."""
    org = org or Org({})
    role_cards = []
    for role in kb.roles.values():
        people = _people(resolve_role(org, directory, role.id, role.title), names) if org else ""
        role_cards.append(_role_card(kb, role, people))
    resp_sections = []
    for stage in sorted(kb.stages.values(), key=lambda s: s.order):
        cards = "".join(_resp_card(kb, r) for r in kb.in_stage(stage.id))
        resp_sections.append(f'<div class="stage-block" id="{e(anchor("stage", stage.id))}" data-group>'
                             f"<h3>{e(stage.order)}. {e(stage.title)}</h3><p class=\"lead\">{e(stage.summary)}</p>"
                             f'<div class="cards">{cards}</div></div>')
    orphans = [r for r in kb.responsibilities.values() if r.stage not in kb.stages]
    if orphans:
        resp_sections.append('<div class="stage-block" data-group><h3>Other</h3><div class="cards">'
                             + "".join(_resp_card(kb, r) for r in orphans) + "</div></div>")
    comparisons = "".join(_text_card("comparison", c.id, c.title, c.summary, c.points, c.roles, kb, c.aliases)
                          for c in kb.comparisons.values())
    topics = "".join(_text_card("topic", t.id, t.title, t.summary, t.points, t.roles, kb, t.aliases)
                     for t in kb.topics.values())
    counts = (f"{len(kb.roles)} roles · {len(kb.responsibilities)} responsibilities · "
              f"{len(kb.comparisons)} comparisons · {len(kb.topics)} topics")
    return TEMPLATE.format(
        title=e(TITLE), counts=e(counts), version=e(kb.version), css=CSS, js=JS, matrix=_matrix(kb),
        roles="".join(role_cards), responsibilities="".join(resp_sections),
        comparisons=comparisons, topics=topics)


def export_html(kb: KnowledgeBase, directory_path: str | Path, org: Org | None = None,
                people: Directory | None = None) -> Path:
    """Write `index.html` into the folder (created if needed) and return its path."""
    folder = Path(directory_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    target.write_text(build_page(kb, org, people), encoding="utf-8")
    return target


CSS = """
:root{--ink:#1d2733;--mute:#5b6776;--line:#d6dde5;--bg:#fff;--soft:#f4f6f9;--a:#1f6f43;--r:#2457a6;
--c:#8a5a00;--i:#6b6b6b;--accent:#2c3e50}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{padding:1rem clamp(.75rem,3vw,2rem) .5rem;border-bottom:1px solid var(--line)}
h1{margin:0 0 .2rem;font-size:1.5rem}h2{margin:1.5rem 0 .5rem;font-size:1.25rem}h3{margin:.2rem 0 .4rem;font-size:1.05rem}
h4{margin:0 0 .3rem;font-size:1rem}.meta,.lead,.legend{color:var(--mute);margin:.2rem 0}
main{padding:0 clamp(.75rem,3vw,2rem) 2rem}
.tools{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap;margin:.6rem 0}
#q{flex:1 1 16rem;max-width:32rem;padding:.55rem .7rem;font:inherit;border:1px solid var(--line);border-radius:6px}
#count{color:var(--mute)}nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem}a{color:var(--r)}
.matrix-wrap{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px}
table.raci{border-collapse:separate;border-spacing:0;width:100%;font-size:.9rem}
.raci th,.raci td{border-bottom:1px solid var(--line);border-right:1px solid var(--line);padding:.3rem .4rem}
.raci thead th{position:sticky;top:0;z-index:2;background:var(--soft);vertical-align:bottom}
.raci thead th[data-role]{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;white-space:nowrap;
font-weight:600;padding:.5rem .3rem}
.raci thead th a{color:var(--ink);text-decoration:none}
.raci th.corner{left:0;z-index:3;text-align:left}
.raci tbody th[scope=row]{position:sticky;left:0;z-index:1;background:var(--bg);text-align:left;font-weight:500;
min-width:11rem}
.raci tr.stage th{background:var(--accent);color:#fff;text-align:left;position:static}
.raci tr.stage a{color:#fff}
.raci td{text-align:center;min-width:2.1rem}
.raci td a{display:block;text-decoration:none;font-weight:700;border-radius:4px}
.pA a{background:#dff3e7;color:var(--a)}.pR a{background:#e1ebfa;color:var(--r)}
.pC a{background:#fbefd8;color:var(--c)}.pI a{background:#eee;color:var(--i)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,20rem),1fr));gap:.75rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.75rem .9rem;background:var(--bg)}
.card:target{outline:3px solid var(--r)}
.card p{margin:.2rem 0 .5rem}dl{margin:0}dt{font-weight:600;margin-top:.35rem}dd{margin:0}
.part{color:var(--mute)}.people{margin:.1rem 0;padding-left:1.1rem}
footer{color:var(--mute);padding:1rem clamp(.75rem,3vw,2rem);border-top:1px solid var(--line)}
@media (max-width:40rem){body{font-size:14px}.raci tbody th[scope=row]{min-width:8rem}}
@media print{.tools,nav{display:none}.matrix-wrap{overflow:visible;max-height:none;border:0}
.raci thead th,.raci tbody th[scope=row]{position:static}thead{display:table-header-group}
.card,tr{break-inside:avoid}a{color:inherit;text-decoration:none}body{font-size:11px}}
"""

JS = """
(function () {
  var box = document.getElementById("q"), count = document.getElementById("count");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-search]"));
  function norm(s) { return s.toLowerCase().normalize("NFKD").replace(/[\\u0300-\\u036f]/g, ""); }
  items.forEach(function (el) { el.mlText = norm(el.getAttribute("data-search") || ""); });
  function apply() {
    var terms = norm(box.value).split(/\\s+/).filter(Boolean), shown = 0;
    items.forEach(function (el) {
      var hit = terms.every(function (t) { return el.mlText.indexOf(t) !== -1; });
      el.hidden = !hit;
      if (hit) { shown += 1; }
    });
    document.querySelectorAll("tbody[data-stage]").forEach(function (body) {
      body.hidden = !body.querySelector("tr[data-resp]:not([hidden])");
    });
    document.querySelectorAll("[data-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-search]:not([hidden])");
    });
    document.querySelectorAll("section[data-section]").forEach(function (section) {
      section.hidden = terms.length > 0 && !section.querySelector("[data-search]:not([hidden])");
    });
    count.textContent = terms.length ? shown + (shown === 1 ? " match" : " matches") : "";
    document.getElementById("empty").hidden = !terms.length || shown > 0;
  }
  box.addEventListener("input", apply);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== box) { ev.preventDefault(); box.focus(); }
  });
  apply();
})();
"""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mlrole">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="meta">{counts} · knowledge base version {version}</p>
<div class="tools"><input id="q" type="search" placeholder="Search roles, tasks, topics… (press /)"
aria-label="Search the knowledge base" autocomplete="off"><span id="count" aria-live="polite"></span></div>
<nav><a href="#matrix">Matrix</a><a href="#roles">Roles</a><a href="#responsibilities">Responsibilities</a>
<a href="#comparisons">Comparisons</a><a href="#topics">Topics</a></nav>
</header>
<main>
<p id="empty" hidden>Nothing matches. Try a role (“data scientist”), a task (“deployment”) or a tool.</p>
<section id="matrix" data-section>
<h2>Who owns what: the RACI matrix</h2>
<p class="legend"><b>A</b> owner (accountable) · <b>R</b> does the work · <b>C</b> consulted · <b>I</b> kept informed.
Every letter links to its responsibility, every column to its role.</p>
{matrix}
</section>
<section id="roles" data-section><h2>Roles</h2><div class="cards" data-group>{roles}</div></section>
<section id="responsibilities" data-section><h2>Responsibilities by stage</h2>{responsibilities}</section>
<section id="comparisons" data-section><h2>Comparisons</h2><div class="cards" data-group>{comparisons}</div></section>
<section id="topics" data-section><h2>Topics</h2><div class="cards" data-group>{topics}</div></section>
</main>
<footer>Made by mlrole from the knowledge base (version {version}). Ask the bot in Slack with
<code>/mlrole</code>.</footer>
<script>{js}</script>
</body>
</html>
"""
