"""`mlrole kb export --html`: one self-contained page, every link landing, every text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from bot.cli import main
from bot.export_html import build_page
from bot.knowledge import load_knowledge
from bot.org import load_org
from bot.people import Directory, Group, Person


class Page(HTMLParser):
    """Collects what the assertions need: ids, links, resources, rows and cells."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.rows: dict[str, list[dict[str, str]]] = {}
        self.columns: list[str] = []
        self.scripts = 0
        self._row: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a":
            self.links.append(a.get("href", ""))
        if tag in ("script", "img", "link", "iframe", "object", "embed"):
            self.resources.append(a.get("src") or a.get("href") or "")
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and "data-resp" in a:
            self._row = a["data-resp"]
            self.rows[self._row] = []
        if tag == "td" and self._row:
            self.rows[self._row].append(a)
        if tag == "th" and a.get("scope") == "col" and "data-role" in a:
            self.columns.append(a["data-role"])


def test_the_page_has_the_whole_matrix_and_every_link_lands(kb, tmp_path: Path):
    page = Page(build_page(kb))
    assert page.columns == list(kb.roles)
    assert set(page.rows) == set(kb.responsibilities)
    for resp_id, cells in page.rows.items():
        resp = kb.responsibilities[resp_id]
        assert [c["data-role"] for c in cells] == list(kb.roles)
        letters = {c["data-role"]: c.get("data-part") for c in cells if c.get("data-part")}
        assert letters[resp.accountable] == "A"
        assert len(letters) == len(resp.roles)
    owner = [c for c in page.rows["model-deployment"] if c.get("data-part") == "A"]
    assert [c["data-role"] for c in owner] == ["ml-engineer"]
    internal = [link for link in page.links if link.startswith("#")]
    assert internal and all(link[1:] in page.ids for link in internal)
    assert all(link.startswith("#") for link in page.links)  # nothing leaves the page
    assert page.resources == [""] and page.scripts == 1  # one inline script, nothing fetched
    for entry in kb.entries():
        if entry.kind != "stage":
            assert f"{entry.kind}-{entry.id}" in page.ids


def test_knowledge_and_slack_text_is_escaped(kb_copy: Path, tmp_path: Path):
    role = kb_copy / "roles" / "ml-engineer.yaml"
    role.write_text(role.read_text(encoding="utf-8").replace(
        "title: Machine Learning Engineer", "title: \"ML <script>alert('x')</script> & co\""), encoding="utf-8")
    kb = load_knowledge(kb_copy)
    org_file = tmp_path / "org.yaml"
    org_file.write_text('ml-engineer: {group: "@ml-platform", channel: "#ml"}\n', encoding="utf-8")
    org = load_org(org_file, kb.roles)
    hostile = Person("U0X", '<img src=x onerror="alert(1)">')
    directory = Directory({"@ml-platform": Group("S0ML", "ml-platform", "ML", (hostile,), 1)})
    text = build_page(kb, org, directory)
    assert "<script>alert" not in text and "<img" not in text
    assert "ML &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "&lt;img" not in build_page(kb, org, directory, names=False)  # no names: none to escape


def test_role_cards_show_their_people(kb, tmp_path: Path):
    org_file = tmp_path / "org.yaml"
    org_file.write_text('ml-engineer: {group: "@ml-platform", channel: "#ml-platform"}\n'
                        'devops-engineer: {group: "@gone"}\n', encoding="utf-8")
    org = load_org(org_file, kb.roles)
    members = tuple(Person(f"U0{i}", n) for i, n in enumerate(["Ana", "Ben", "Cy", "Dee", "Eve"]))
    directory = Directory({"@ml-platform": Group("S0ML", "ml-platform", "ML", members, 5)},
                          missing=frozenset({"@gone"}))
    text = build_page(kb, org, directory)
    card = re.search(r'<article class="card role" id="role-ml-engineer".*?</article>', text).group(0)
    assert "<strong>@ml-platform</strong>: Ana, Ben and 3 more" in card and "#ml-platform" in card
    assert "@gone" not in text  # a vanished group is left out, never shown broken


def test_cli_writes_index_html(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("MLROLE_ORG", raising=False)
    assert main(["kb", "export", "--html", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'site' / 'index.html'}")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["kb", "export", "--html", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"mlrole: cannot write the page into {blocker}") and err.count("\n") == 1
