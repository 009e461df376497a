"""The architecture rules of design §1, checked by machine on every ``make test``.

* The import-linter contracts in pyproject.toml (engines import no Django; domain modules never
  import views, forms or the API) — the same check as ``make contracts``.
* One app uses another only through its ``services``, ``selectors``, ``permissions`` and
  ``choices`` (models are referred to by "app.Model" strings). ``core`` is the shared plumbing
  (base models, regions, accounts, audit, listing, Excel) that every app may use — except its
  views — and ``core`` itself imports no domain app, so apps plug into it, never the reverse.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What an app may use of another: its services, selectors, permissions and choices, the registries it offers
#: (people.registry, review.sources, orgs.panels) and the test-data helpers of its ``testing`` module.
PUBLIC_SURFACE = ("services", "selectors", "permissions", "choices", "registry", "sources", "panels", "testing")
NOT_APPS = {"config", "engines", "core"}


def test_import_linter_contracts_hold() -> None:
    pytest.importorskip("importlinter")
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout, result.stdout


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "kejiju" else None


def _cross_app_imports() -> list[tuple[str, str]]:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("kejiju", cache_dir=None)
    pairs = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            source, target = _app(importer), _app(imported)
            if source and target and source != target:
                pairs.append((importer, imported))
    return pairs


def test_apps_use_each_other_only_through_their_public_surface() -> None:
    offences = []
    for importer, imported in _cross_app_imports():
        source, target = _app(importer), _app(imported)
        if source == "config" or target == "engines":
            continue  # the URL root wires every app; engines are pure and open to all
        if source == "core":
            offences.append(f"{importer} → {imported}: core imports no domain app")
        elif target == "core":
            if imported.split(".")[2:3] == ["views"]:
                offences.append(f"{importer} → {imported}: core's views are not for other apps")
        elif target not in NOT_APPS and imported.split(".")[2:3] and imported.split(".")[2] not in PUBLIC_SURFACE:
            offences.append(f"{importer} → {imported}: use {target}'s services, selectors or permissions")
    assert not offences, "\n".join(offences)
