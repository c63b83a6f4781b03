"""A derivation: an ordered list of steps, each a statement, the SymPy objects it produced and their displays.

Every displayed equation of a derivation is rendered here from SymPy objects
(``sympy.latex`` for documents and notebooks, ``sympy.sstr`` for the terminal), so
that a document regenerated from the engine is byte-identical to the one in
``derivations/``.  The prose of a step may contain inline math; displays may not be
written by hand, except the few that are structural (a list of conditions), which
are still assembled from SymPy objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import sympy

from ..fileio import GENERATED_MARKER

__all__ = ["Display", "Step", "Derivation", "DerivationError", "tex", "txt"]


class DerivationError(RuntimeError):
    """A derivation step found something other than what it derives (an internal failure, never bad input)."""


_LATEX_NAMES = {}


def tex(obj) -> str:
    """LaTeX of a SymPy object (or a string passed through), with the package's symbol names."""
    if isinstance(obj, str):
        return obj
    return sympy.latex(obj, mat_delim="(", symbol_names=_LATEX_NAMES)


def txt(obj) -> str:
    """One-line plain text of a SymPy object (or a string passed through)."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, sympy.MatrixBase):
        return "[" + "; ".join(", ".join(sympy.sstr(x) for x in obj.row(i)) for i in range(obj.rows)) + "]"
    return " ".join(sympy.sstr(obj).split())


_REL_TEX = {"=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", "in": r"\in",
            "iff": r"\iff", "=>": r"\implies", "->": r"\to"}


@dataclass(frozen=True)
class Display:
    """One displayed equation: its LaTeX and its plain-text form, both produced from SymPy objects."""

    latex: str
    text: str

    @classmethod
    def rel(cls, *parts, rel: str = "=") -> "Display":
        """A chain ``a rel b rel c ...`` of SymPy objects (``rel`` one of = < > <= >= != in iff => ->)."""
        if len(parts) < 2:
            raise DerivationError("a relation needs at least two sides.")
        sep_tex = f" {_REL_TEX[rel]} "
        sep_txt = f" {rel} "
        return cls(sep_tex.join(tex(p) for p in parts), sep_txt.join(txt(p) for p in parts))

    @classmethod
    def chain(cls, *pairs) -> "Display":
        """A mixed chain: ``chain(a, "=", b, "<", c)``."""
        if len(pairs) < 3 or len(pairs) % 2 == 0:
            raise DerivationError("a chain alternates objects and relations: a, rel, b, ...")
        ltx, plain = [tex(pairs[0])], [txt(pairs[0])]
        for rel, obj in zip(pairs[1::2], pairs[2::2]):
            ltx.append(f" {_REL_TEX[rel]} {tex(obj)}")
            plain.append(f" {rel} {txt(obj)}")
        return cls("".join(ltx), "".join(plain))

    @classmethod
    def system(cls, rows: Iterable["Display"]) -> "Display":
        """Several relations displayed as one aligned system."""
        rows = list(rows)
        body = r" \\ ".join(r.latex for r in rows)
        return cls(r"\begin{cases} " + body + r" \end{cases}", "; ".join(r.text for r in rows))

    @classmethod
    def labelled(cls, label_tex: str, label_txt: str, display: "Display") -> "Display":
        """A display preceded by a short label such as ``n = 4:``."""
        return cls(rf"\text{{{label_tex}}}\quad {display.latex}", f"{label_txt}: {display.text}")


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a title, a statement in prose, the SymPy objects it produced, and its displays."""

    title: str
    statement: str
    displays: tuple[Display, ...] = ()
    objects: Mapping[str, object] = field(default_factory=dict)
    claims: tuple[str, ...] = ()  # ledger claim ids that re-check this step


@dataclass(frozen=True)
class Derivation:
    """A derivation: ``id`` (document name), ``title``, ``block`` (n, an int, or the SymPy symbol n), steps, results.

    ``results`` maps names (``e_next``, ``alpha``, ...) to the SymPy objects the
    derivation establishes; ``convention`` says which time and gamma convention every
    expression in it uses.
    """

    id: str
    title: str
    summary: str
    convention: str
    block: object
    steps: tuple[Step, ...]
    results: Mapping[str, object] = field(default_factory=dict)

    # --- renderings ----------------------------------------------------------------------
    def markdown(self) -> str:
        """The Markdown document (LaTeX displays in ``$$ ... $$``), as written to ``derivations/``."""
        out = [f"<!-- {GENERATED_MARKER} (pyramid-sym derive --write); edit the derivation engine, not this file. -->",
               "", f"# {self.title}", "", self.summary, "", f"*Convention:* {self.convention}", ""]
        for i, step in enumerate(self.steps, 1):
            out += [f"## {i}. {step.title}", "", step.statement, ""]
            for d in step.displays:
                out += ["$$", d.latex, "$$", ""]
            if step.claims:
                out += ["Re-checked by the ledger: " + ", ".join(f"`{c}`" for c in step.claims) + ".", ""]
        return "\n".join(out).rstrip("\n") + "\n"

    def latex(self) -> str:
        """A LaTeX fragment: one ``\\paragraph`` per step and one ``equation*`` per display."""
        out = [f"% {GENERATED_MARKER}: {self.id}", rf"\section*{{{_latex_text(self.title)}}}", ""]
        for i, step in enumerate(self.steps, 1):
            out.append(rf"\paragraph{{{i}. {_latex_text(step.title)}}} {step.statement}")
            for d in step.displays:
                out += [r"\begin{equation*}", d.latex, r"\end{equation*}"]
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    def text(self) -> str:
        """Plain text for the terminal."""
        out = [self.title, "=" * len(self.title), self.summary, f"Convention: {self.convention}", ""]
        for i, step in enumerate(self.steps, 1):
            out.append(f"{i}. {step.title}")
            out.append(f"   {step.statement}")
            for d in step.displays:
                out.append(f"     {d.text}")
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    def step(self, title_start: str) -> Step:
        """The first step whose title starts with ``title_start``."""
        for s in self.steps:
            if s.title.startswith(title_start):
                return s
        raise KeyError(title_start)


def _latex_text(s: str) -> str:
    return s.replace("&", r"\&").replace("%", r"\%").replace("#", r"\#")
