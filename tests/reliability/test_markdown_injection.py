"""Issue 13 item 5: no value from Procore, a world, a session or a playbook acts as Markdown.

The hostile values go in where a user's data would (a world's company, project and user
names; a playbook's titles and descriptions; a session's customer, owners, contacts,
notes, waivers and sign-offs), the real commands write checklist.md, and markdown-it
renders it as a viewer would (CommonMark with tables, and again with linkify, as GitHub
turns bare URLs into links). Nothing but text may come out of a value: no HTML, no image,
no link, no extra table cell; only a viewer that linkifies bare ``https://`` URLs makes
those clickable (as it would in any text), never a ``javascript:`` or image link.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.reliability.conftest import CliRecorder
from tests.reliability.setups import demo_text

PAYLOADS = [
    "Acme<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[x](javascript:alert(3))",
    "![](https://remote.example/img.png)",
    "<https://evil.example/autolink>",
    "<javascript:alert(4)>",
    "&lt;script&gt;alert(5)&lt;/script&gt; &#60;b&#62;",
    "a|b`code`|c",
    "**bold** _it_ ~~gone~~",
    "[ref]: https://evil.example/ref",
    "<!-- hidden --> <div onclick=x>",
]


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def hostile_world(path: Path) -> None:
    """The demo world with every company and project name replaced by a payload."""
    count = iter(range(10_000))

    def name(_match: re.Match[str]) -> str:
        return f"name = {_toml(PAYLOADS[next(count) % len(PAYLOADS)])}"

    text = re.sub(r'(?m)^name = "(?!Demo")[^"]*"', name, demo_text())
    path.write_text(text, encoding="utf-8")


def hostile_playbook(path: Path) -> None:
    """The shipped playbook with its titles and descriptions replaced by payloads."""
    source = Path(__file__).parents[2] / "playbooks" / "post-sunset-recovery.toml"
    text = source.read_text(encoding="utf-8")
    title = f"title = {_toml(PAYLOADS[0] + PAYLOADS[3])}"
    text = re.sub(r'(?m)^title = "(?!")[^"\n]*"$', lambda _m: title, text)
    description = f"description = {_toml(PAYLOADS[2])}"
    text = re.sub(r'(?m)^description = "(?!")[^"\n]*"$', lambda _m: description, text)
    path.write_text(text, encoding="utf-8")


RENDERERS = {
    "commonmark": MarkdownIt("commonmark").enable("table").enable("strikethrough"),
    "linkify": MarkdownIt("commonmark", {"linkify": True}).enable(["table", "linkify"]),
}


def _walk(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        found.append(token)
        found += _walk(token.children or [])
    return found


def assert_inert(markdown: str, allowed_links: set[str]) -> None:
    for flavour, renderer in RENDERERS.items():
        tokens = _walk(renderer.parse(markdown))
        kinds = {token.type for token in tokens}
        assert not kinds & {"html_inline", "html_block", "image"}, (flavour, kinds)
        hrefs = {str(t.attrGet("href")) for t in tokens if t.type == "link_open"}
        if flavour == "commonmark":  # no value makes a link of any kind
            assert hrefs <= allowed_links, (flavour, hrefs - allowed_links)
        else:  # linkify turns a bare URL in a name into a link, never a script or an image
            assert all(re.match(r"https?://", href) for href in hrefs), hrefs
        html = renderer.render(markdown)
        for raw in ("<script", "<img", "<div", "<!--", "<b>", "<del>", "<em>it", "<code>code",
                    'href="javascript', 'src="'):
            assert raw not in html, (flavour, raw)
        rows = [t for t in tokens if t.type in ("th_open", "td_open")]
        assert len(rows) % 3 == 0, "a value split a table cell"


def _links_the_tool_writes(markdown: str) -> set[str]:
    """Links in the export of a clean run: the tool's own (Procore help pages), if any."""
    tokens = _walk(RENDERERS["linkify"].parse(markdown))
    return {str(t.attrGet("href")) for t in tokens if t.type == "link_open"}


@pytest.fixture
def clean_links(cli: CliRecorder, tmp_path: Path, restore_environ: None) -> set[str]:
    run = cli("demo", "--headless", "--out", tmp_path / "clean")
    assert run.code in (0, 1), run.err
    return _links_the_tool_writes((tmp_path / "clean" / "checklist.md").read_text("utf-8"))


def test_world_values_are_text_in_checklist_md(
    cli: CliRecorder, tmp_path: Path, restore_environ: None, clean_links: set[str]
) -> None:
    world = tmp_path / "world.toml"
    hostile_world(world)
    run = cli("demo", "--headless", "--world", world, "--out", tmp_path / "out")
    assert run.code in (0, 1), run.err
    markdown = (tmp_path / "out" / "checklist.md").read_text(encoding="utf-8")
    assert "script" in markdown and "onerror" in markdown  # the payloads are there, as text
    assert "| a\\|b\\`code\\`\\|c |" in markdown or "a\\|b" in markdown
    assert_inert(markdown, clean_links)


def test_playbook_and_session_values_are_text_in_checklist_md(
    cli: CliRecorder, tmp_path: Path, restore_environ: None, clean_links: set[str]
) -> None:
    world = tmp_path / "world.toml"
    hostile_world(world)
    assert cli("demo", "--headless", "--world", world, "--out", tmp_path / "demo").code in (0, 1)
    playbook = tmp_path / "playbook.toml"
    hostile_playbook(playbook)
    sessions = tmp_path / "sessions"
    assert cli("session", "new", "acme", "--customer", PAYLOADS[1], "--playbook", playbook,
               "--company-id", "101", "--sessions-dir", sessions).code == 0
    item = ["session", "item", "acme", "--sessions-dir", sessions, "--company-id", "101"]
    assert cli(*item, "app-installed", "--waive", PAYLOADS[2], "--owner", PAYLOADS[4]).code == 0
    assert cli(*item, "permitted-projects", "--note", PAYLOADS[6],
               "--sign-off", PAYLOADS[3]).code == 0
    assert cli("session", "owner", "acme", "--role", "company_admin", "--person", PAYLOADS[0],
               "--contact", PAYLOADS[5], "--sessions-dir", sessions).code == 0
    out = tmp_path / "out"
    run = cli("checklist", "--session", "acme", "--sessions-dir", sessions,
              "--inventory", tmp_path / "demo" / "inventory.json",
              "--verification", tmp_path / "demo" / "verification.json", "--out", out)
    assert run.code in (0, 1), run.err
    markdown = (out / "checklist.md").read_text(encoding="utf-8")
    assert "alert(3)" in markdown and "remote.example" in markdown and "onerror" in markdown
    assert_inert(markdown, clean_links)


def test_every_session_value_reaches_the_export(
    cli: CliRecorder, tmp_path: Path, restore_environ: None
) -> None:
    """Guard for the test above: the payloads it plants are really in checklist.md (escaped),
    so a renderer that dropped them could not make it pass."""
    sessions = tmp_path / "sessions"
    assert cli("demo", "--headless", "--out", tmp_path / "demo").code in (0, 1)
    assert cli("session", "new", "acme", "--customer", "Cust<b>", "--company-id", "101",
               "--sessions-dir", sessions).code == 0
    item = ["session", "item", "acme", "--sessions-dir", sessions, "--company-id", "101"]
    assert cli(*item, "app-installed", "--waive", "Waive<i>", "--owner", "Own<u>").code == 0
    assert cli(*item, "permitted-projects", "--note", "Note<s>", "--sign-off", "Sig<q>").code == 0
    assert cli("session", "owner", "acme", "--role", "company_admin", "--person", "Per<p>",
               "--contact", "Con<a>", "--sessions-dir", sessions).code == 0
    run = cli("checklist", "--session", "acme", "--sessions-dir", sessions,
              "--inventory", tmp_path / "demo" / "inventory.json",
              "--verification", tmp_path / "demo" / "verification.json", "--out", tmp_path / "o")
    assert run.code in (0, 1), run.err
    markdown = (tmp_path / "o" / "checklist.md").read_text(encoding="utf-8")
    for value in ("Cust", "Waive", "Own", "Sig", "Per", "Con"):
        tag = {"Cust": "b", "Waive": "i", "Own": "u", "Sig": "q", "Per": "p", "Con": "a"}[value]
        assert f"{value}\\<{tag}>" in markdown, value
