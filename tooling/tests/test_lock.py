"""requirements.lock pins every runtime and development dependency, with hashes, within pyproject.toml's ranges."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, requires

from conftest import REPO_ROOT
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = REPO_ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


@dataclass
class Pin:
    version: str
    marker: Marker | None
    hashes: list[str] = field(default_factory=list)

    def applies(self) -> bool:
        """True if pip would install this pin here (a universal lock may pin a name twice, for different Pythons)."""
        return self.marker is None or self.marker.evaluate()


def _pins() -> dict[str, list[Pin]]:
    """name -> its pins, read the way pip reads a requirements file."""
    pins: dict[str, list[Pin]] = {}
    current: Pin | None = None
    for line in LOCK.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = PIN.match(stripped)
        if match is not None:
            current = Pin(match.group(2), Marker(match.group(3)) if match.group(3) else None)
            pins.setdefault(canonicalize_name(match.group(1)), []).append(current)
        else:
            assert current is not None and stripped.startswith("--hash=sha256:"), f"unexpected line: {line!r}"
            current.hashes.append(stripped.removeprefix("--hash=sha256:").rstrip(" \\"))
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def test_every_pin_has_hashes_and_one_applies_here() -> None:
    pins = _pins()
    assert len(pins) > 40
    for name, versions in pins.items():
        for pin in versions:
            assert pin.hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in pin.hashes), name
        assert sum(pin.applies() for pin in versions) <= 1, f"{name} is pinned twice for this Python"


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock; run `make lock`"
        for pin in pins[name]:
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"requirements.lock pins {name}=={pin.version}, outside {requirement}; run `make lock`"
            )


def test_the_lock_is_complete_here() -> None:
    """Every requirement of every package installed from the lock is pinned too: `--no-deps` loses nothing."""
    pins = _pins()
    for name, versions in pins.items():
        if not any(pin.applies() for pin in versions):
            continue  # for another platform or Python
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue  # checked where it is installed
        for text in needs:
            needed = Requirement(text)
            if needed.marker is not None and not needed.marker.evaluate({"extra": ""}):
                continue
            assert canonicalize_name(needed.name) in pins, f"{name} needs {needed}, which the lock does not pin"
