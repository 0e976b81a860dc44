"""The manifests of *Kubernetes in Action* (1st ed.) that the sandbox ships, chapter 5 and the pods
behind them, as files a student can `kubectl apply -f` by name."""

from __future__ import annotations

from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent / "manifests" / "book"


def book_manifest_names() -> list[str]:
    return sorted(p.name for p in BOOK_DIR.glob("*.yaml"))


def book_manifest_text(name: str) -> str | None:
    """The file's text, or None when the sandbox has no such file (only plain names, no paths)."""
    if name not in book_manifest_names():
        return None
    return (BOOK_DIR / name).read_text(encoding="utf-8")


def book_manifests() -> dict[str, str]:
    return {name: (BOOK_DIR / name).read_text(encoding="utf-8") for name in book_manifest_names()}
