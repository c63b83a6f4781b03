"""Plug-in discovery: the modules ``<prefix><name>.py`` of a package, in the order of their ``ORDER``.

Sub-commands (``cli/cmd_<name>.py``) and ledger claim providers (``ledger/claims_<topic>.py``)
are found this way, so adding one is adding a file: there is no central list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def discover(package: str, path, prefix: str) -> list[ModuleType]:
    """The modules of ``package`` (its ``__path__``) named ``prefix*``, sorted by ``ORDER`` (default 100), then name."""
    mods = [importlib.import_module(f"{package}.{info.name}")
            for info in pkgutil.iter_modules(path) if info.name.startswith(prefix)]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
