"""The formulas the project verifies: the paper's, the reference code's and the article's, each named and sourced."""

from ._base import Equation, Formula, FormulaError, all_formulas, get

__all__ = ["Formula", "Equation", "FormulaError", "get", "all_formulas"]
