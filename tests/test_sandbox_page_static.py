"""The sandbox page's files, read as text: the rules that keep it safe and self-contained hold
for every line, not only for what the browser tests happen to show.

- Data reaches the DOM through createElement/textContent only: no HTML parsing sinks.
- No build step, no CDN: nothing is loaded from another host, the modules import each other.
- The Content-Security-Policy forbids inline and foreign scripts.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

STATIC = Path(str(resources.files("bot.sandbox").joinpath("static")))
SCRIPTS = sorted(STATIC.glob("*.js"))
HTML_SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function|"
    r"createContextualFragment|DOMParser|srcdoc|setAttribute\(\s*[\"']on"
)
REMOTE = re.compile(r"\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def test_the_page_ships_its_files_inside_the_package() -> None:
    names = {path.name for path in STATIC.iterdir()}
    assert {"index.html", "app.js", "style.css"} <= names
    html = (STATIC / "index.html").read_text()
    for referenced in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert referenced in names, f"index.html loads {referenced}, which is not shipped"
    for script in SCRIPTS:
        for imported in re.findall(r'from "\./([^"]+)"', script.read_text()):
            assert imported in names, f"{script.name} imports {imported}, which is not shipped"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_no_script_parses_html(script: Path) -> None:
    for number, line in enumerate(script.read_text().splitlines(), 1):
        assert not HTML_SINKS.search(line), f"{script.name}:{number}: {line.strip()}"


@pytest.mark.parametrize(
    "name", ["index.html", "style.css", *(p.name for p in SCRIPTS)], ids=lambda name: name
)
def test_nothing_is_loaded_from_another_host(name: str) -> None:
    text = (STATIC / name).read_text()
    if name.endswith(".js"):
        # URLs inside the renderer's own tests of links are data, not loads; imports are local.
        assert not re.search(r'import[^;]*from\s+"(?!\./)', text)
        assert 'fetch("http' not in text and 'EventSource("http' not in text
        return
    without_svg_namespace = text.replace("http://www.w3.org/2000/svg", "")
    assert not REMOTE.search(without_svg_namespace), f"{name} refers to another host"


def test_the_policy_forbids_inline_and_foreign_scripts() -> None:
    html = (STATIC / "index.html").read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', html)
    assert policy, "index.html sets a Content-Security-Policy"
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.group(1).split(";") if part.strip()
    }
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert "<script>" not in html, "no inline script"
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), "no inline event handler"
