"""The documents of ``derivations/``: which derivations, their file names, the index, writing and checking.

Every document is rendered from a :class:`~pyramid_sym.derivation.Derivation`, so
``pyramid-sym derive --write`` regenerates the folder byte for byte and
``pyramid-sym derive --check`` (and the test suite) reports any document that is out
of date.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..fileio import GENERATED_MARKER, write_generated
from ._base import Derivation

__all__ = ["TOPICS", "DOCUMENTS", "derive", "documents", "write_documents", "stale_documents", "INDEX"]

INDEX = "README.md"

# topic name -> (module, function): imported lazily, so that one topic does not pay for the others
TOPICS = {
    "jump": ("jump_point", "derive_jump_point", "the jump point e_{k+1}, alpha and the scale (eqs. 20-27)"),
    "gamma": ("gamma_range", "derive_gamma_range", "the admissible range of gamma, the singular code default"),
    "alpha": ("alpha_minimal", "derive_alpha_minimal", "why gamma = -1/(n-1): alpha is minimal there"),
    "marginal": ("training_marginal", "derive_training_marginal", "the jump reproduces the training marginal (eq. 8)"),
    "noise": ("noise_pyramid", "derive_noise_pyramid", "the noise pyramid's factor 2 and the coupling of eqs. 9-10"),
}

# (topic, block) of each document, in reading order
DOCUMENTS = (
    ("jump", "general"), ("jump", 2), ("jump", 4), ("jump", 8),
    ("gamma", "general"), ("gamma", 4),
    ("alpha", "general"),
    ("marginal", "general"), ("marginal", 4),
    ("noise", "general"),
)


def derive(topic: str, block="general") -> Derivation:
    """The derivation of ``topic`` (one of :data:`TOPICS`) for blocks of ``block`` entries (int or ``"general"``)."""
    import importlib

    if topic not in TOPICS:
        raise InputError(f"unknown derivation {topic!r}; use one of {', '.join(TOPICS)} (or 'all').")
    mod, fn, _ = TOPICS[topic]
    return getattr(importlib.import_module(f"{__package__}.{mod}"), fn)(block)


def _index(derivations: list[Derivation]) -> str:
    lines = [f"<!-- {GENERATED_MARKER} (pyramid-sym derive --write); edit the derivation engine, not this file. -->", "",
             "# Derivations", "",
             "Each document below is produced by `pyramid-sym derive` from the derivation engine "
             "(`pyramid_sym.derivation`); every displayed equation is a SymPy object rendered to LaTeX. "
             "`pyramid-sym derive --write` regenerates this folder, `pyramid-sym derive --check` reports a document "
             "that is out of date, and the ledger (`pyramid-sym prove`) re-checks the results as the claims `derive.*`.", ""]
    for d in derivations:
        lines.append(f"- [{d.title}]({d.id}.md)")
    return "\n".join(lines) + "\n"


def documents() -> dict[str, str]:
    """File name -> Markdown text, for every document of ``derivations/`` (the index included)."""
    ds = [derive(topic, block) for topic, block in DOCUMENTS]
    out = {f"{d.id}.md": d.markdown() for d in ds}
    out[INDEX] = _index(ds)
    return out


def write_documents(folder) -> list[Path]:
    """Write every document into ``folder`` (created if missing); returns the paths written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{str(folder)!r} is a file; give a folder to write the derivations into.")
    folder.mkdir(parents=True, exist_ok=True)
    return [write_generated(folder / name, text) for name, text in documents().items()]


def stale_documents(folder) -> list[str]:
    """Names of the documents of ``folder`` that are missing or differ from what the engine produces now.

    A generated Markdown file that the engine no longer produces is reported as ``"NAME (no longer generated)"``.
    """
    from ..fileio import is_generated

    folder = Path(folder)
    docs = documents()
    stale = [f"{p.name} (no longer generated)" for p in sorted(folder.glob("*.md"))
             if p.name not in docs and is_generated(p)]
    for name, text in docs.items():
        path = folder / name
        try:
            current = path.read_bytes()
        except OSError:
            stale.append(name)
            continue
        if current != text.encode("utf-8"):
            stale.append(name)
    return stale
