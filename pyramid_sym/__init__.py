"""pyramid-sym: symbolic derivation and verification of Pyramidal Flow Matching's schedule and jump-point re-noising.

The pipeline, one module per concept:

* :mod:`pyramid_sym.conventions` - the paper's and the code's conventions and converters;
* :mod:`pyramid_sym.formulas` - the paper's, the code's and the article's formulas, named and sourced;
* :mod:`pyramid_sym.prover` - a sound prover (certificate + high-precision witnesses);
* :mod:`pyramid_sym.ledger` - every claim with its expected verdict (``pyramid-sym prove``);
* :mod:`pyramid_sym.cli` - the command line.
"""

__version__ = "0.1.0"
