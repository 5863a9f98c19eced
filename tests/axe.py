"""axe-core (npm, tests/node) run in a page Chromium has open, on the WCAG 2.0 and 2.1 A and AA
rules, for tests/test_accessibility.py.

axe-core is installed by `npm ci --prefix tests/node` (the Makefile's test target does it; the
version is pinned in tests/node/package-lock.json). Each finding is a dict:
{"id": rule, "impact": "minor"|"moderate"|"serious"|"critical", "help": text, "nodes": count,
 "targets": the first twelve elements (selector :: html :: axe's message)}.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
AXE_JS = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what the Besluit digitale toegankelijkheid overheid asks.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def ensure_axe() -> Path:
    """The path of axe.min.js, installed from tests/node/package-lock.json when missing (npm ci).
    Raises RuntimeError when npm is missing or the install fails."""
    if not AXE_JS.exists():
        try:
            subprocess.run(["npm", "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
                           check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as exc:
            raise RuntimeError(f"axe-core could not be installed with npm: {exc}") from None
    return AXE_JS


def findings(page, context: str = "document") -> list[dict]:
    """axe-core's violations of TAGS in the page as it stands (axe injected once per document)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(ensure_axe()))
    result = page.evaluate(
        """async ([context, tags]) => {
             const r = await axe.run(context === 'document' ? document : context,
                                     {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                             targets: v.nodes.slice(0, 12).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 120) + ' :: ' + (n.any[0] ? n.any[0].message : ''))}));
           }""", [context, TAGS])
    return result


def blocking(found: list[dict]) -> list[dict]:
    """The serious and critical findings."""
    return [f for f in found if f["impact"] in BLOCKING]


def summary(found: list[dict]) -> str:
    """One line per finding: impact, rule, how many elements."""
    return "; ".join(f"{f['impact']} {f['id']} ×{f['nodes']}" for f in found) or "none"
