"""Extraction: every assignment of a source file as an expression of its free symbols, read with ``ast`` only.

For each function (methods and nested functions included) and for the module and
class bodies, statements are read in straight-line order - the bodies of ``if``,
``for``, ``while``, ``with`` and ``try`` in the order they are written - and each
right-hand side becomes an :class:`~pyramid_sym.audit.ir.Node` by inlining the
assignments above it in the same function (a backward slice).  What is understood:

* ``+ - * /``, ``**``, unary minus, literals (``1/3`` is one third);
* square roots in every spelling - ``math.sqrt``, ``np.sqrt``/``numpy.sqrt``,
  ``torch.sqrt``, ``x ** 0.5``, ``x.sqrt()``, ``pow(x, 0.5)`` - and exp/log alike
  (``log1p``, ``expm1``, ``rsqrt``, ``square``, ``reciprocal`` too);
* value-preserving casts: ``float(x)``, ``np.float32(x)``, ``torch.tensor(x)``,
  ``x.item()``, ``x.float()``, ``x.to(...)``; ``int()`` of a literal;
* ``torch.eye(n)``, ``torch.ones(n, n)`` (NumPy alike) with a literal ``n``: a matrix;
* calls of the file's own one-expression functions (a function or ``self.method``
  whose value is its last ``return``), inlined with their arguments.

Everything else is a *leaf*, a free symbol named by its source text
(``self.config.gamma``, ``self.scheduler.ori_start_sigmas[i_s]``); a local
assigned a leaf (``gamma = self.config.gamma``) is the symbol named by the local,
with the leaf text kept as its origin.

The file is never imported, executed or compiled to bytecode.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from fractions import Fraction

from . import ir
from .source import SourceFile

__all__ = ["Record", "FileModel", "extract"]

_MODULE_ROOTS = {"math", "np", "numpy", "torch", "jnp", "jax", "cmath", "mpmath", "sympy", "sp", "onp", "F", "tf"}
_UNARY_FUNCS = {"sqrt", "exp", "log", "log1p", "expm1", "rsqrt", "square", "reciprocal", "negative"}
_CASTS = {"float", "float32", "float64", "double", "tensor", "as_tensor", "asarray", "array", "scalar_tensor",
          "float_", "longdouble", "mpf", "Float"}
_METHOD_CASTS = {"item", "float", "double", "to", "type", "cpu", "cuda", "clone", "detach", "squeeze", "numpy",
                 "tolist", "contiguous", "half", "bfloat16"}
_POW_FUNCS = {"pow", "power", "float_power"}
_MAX_DEPTH = 120         # expression nesting the reader follows; deeper parts are leaves
_MAX_INLINE_DEPTH = 4    # calls inlined inside inlined calls


@dataclass
class Record:
    """One right-hand side that computes something: where it is, what it is, in which names."""

    file: str
    line: int
    col: int
    function: str            # qualified name ("Class.method", "func", "<module>")
    target: str              # the assigned name as written ("alpha", "self.beta", "return")
    source: str              # the statement's source text
    node: ir.Node
    origins: dict[str, tuple[int, str]]  # symbol -> (line, text) for a local that holds a leaf
    context: str = ""        # e.g. "argument 2 of MultivariateNormal"
    alias: bool = False      # a copy of a value computed above (x = y): checked for expectations only


@dataclass
class FileModel:
    """What the extraction learned from one file."""

    source: SourceFile
    records: list[Record] = field(default_factory=list)
    targets: dict[str, set[str]] = field(default_factory=dict)   # function -> assigned names
    defaults: dict[str, list[tuple[Fraction, int, str]]] = field(default_factory=dict)  # name -> literal values
    # function or class (qualified name) -> its own parameters' / class attributes' literal defaults
    scoped_defaults: dict[str, dict[str, tuple[Fraction, int, str]]] = field(default_factory=dict)


# ------------------------------------------------------------------------------ literals
def literal_value(node: ast.AST, depth: int = 0) -> Fraction | None:
    """The exact value of a literal expression (``1/3``, ``-0.25``, ``1e-8``), or None."""
    if depth > 20:
        return None
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        v = node.value
        if isinstance(v, int):
            return Fraction(v)
        if isinstance(v, float) and v == v and abs(v) != float("inf"):
            return Fraction(repr(v))  # the decimal text as written: 0.1 is 1/10
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = literal_value(node.operand, depth + 1)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        a, b = literal_value(node.left, depth + 1), literal_value(node.right, depth + 1)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Div):
            return None if b == 0 else a / b
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
    return None


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _text(node: ast.AST) -> str:
    try:
        return " ".join(ast.unparse(node).split())
    except Exception:  # noqa: BLE001 - very deep trees; the leaf still needs a name
        return f"<expression at line {getattr(node, 'lineno', '?')}>"


# ------------------------------------------------------------------------------ callees
@dataclass
class _Callee:
    params: tuple[str, ...]
    body: list[ast.stmt]
    owner: str           # qualified name of the function
    is_method: bool


class _Extractor:
    def __init__(self, src: SourceFile):
        self.src = src
        self.model = FileModel(src)
        self.imports: set[str] = set(_MODULE_ROOTS)
        self.callees: dict[str, _Callee] = {}        # "name" (module function) / "Class.name" (method)
        self._summaries: dict[str, ir.Node | None] = {}
        self._summarizing: list[str] = []

    # -- driver ---------------------------------------------------------------------------
    def run(self) -> FileModel:
        tree = self.src.tree
        for n in ast.walk(tree):
            if isinstance(n, ast.Import):
                for a in n.names:
                    self.imports.add((a.asname or a.name).split(".")[0])
            elif isinstance(n, ast.ImportFrom):
                for a in n.names:
                    if a.name in _UNARY_FUNCS | _POW_FUNCS | {"eye", "ones"}:
                        continue
                    self.imports.add(a.asname or a.name)
        self._collect_callees(tree.body, prefix="")
        self._collect_defaults(tree)
        self._scope(tree.body, "<module>", params=())
        return self.model

    def _default_value(self, node) -> Fraction | None:
        """A literal default, or a module-level name bound to one (gamma=GAMMA with GAMMA = -1/3)."""
        v = literal_value(node)
        if v is None and isinstance(node, ast.Name):
            v = self._module_constants().get(node.id)
        return v

    def _module_constants(self) -> dict[str, Fraction]:
        if not hasattr(self, "_consts"):
            consts: dict[str, Fraction] = {}
            for st in self.src.tree.body:
                if isinstance(st, (ast.Assign, ast.AnnAssign)) and st.value is not None:
                    targets = st.targets if isinstance(st, ast.Assign) else [st.target]
                    v = literal_value(st.value)
                    for t in targets:
                        if isinstance(t, ast.Name):
                            if v is None or (t.id in consts and consts[t.id] != v):
                                consts.pop(t.id, None)
                                consts[t.id] = None
                            else:
                                consts[t.id] = v
            self._consts = {k: v for k, v in consts.items() if v is not None}
        return self._consts

    def _collect_callees(self, body, prefix: str):
        scoped = self.model.scoped_defaults
        for st in body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{st.name}"
                args = st.args
                params = tuple(a.arg for a in args.posonlyargs + args.args)
                is_method = bool(prefix) and bool(params) and params[0] in ("self", "cls")
                self.callees[name] = _Callee(params, st.body, name, is_method)
                pos = args.posonlyargs + args.args
                pairs = list(zip(pos[len(pos) - len(args.defaults):], args.defaults))
                pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
                for arg, dv in pairs:
                    v = self._default_value(dv)
                    if v is not None:
                        scoped.setdefault(name, {})[arg.arg] = (v, dv.lineno, f"{arg.arg} = {self.src.segment(dv)} (line {dv.lineno})")
            elif isinstance(st, ast.ClassDef):
                cls = f"{prefix}{st.name}"
                for item in st.body:
                    tgt = item.target if isinstance(item, ast.AnnAssign) else (
                        item.targets[0] if isinstance(item, ast.Assign) and len(item.targets) == 1 else None)
                    val = getattr(item, "value", None)
                    if isinstance(tgt, ast.Name) and val is not None and literal_value(val) is not None:
                        scoped.setdefault(cls, {})[tgt.id] = (literal_value(val), item.lineno,
                                                             f"{self.src.segment(item)} (line {item.lineno})")
                self._collect_callees(st.body, prefix=f"{cls}.")

    def _collect_defaults(self, tree):
        d = self.model.defaults

        def add(name, value, line, text):
            d.setdefault(name, []).append((value, line, text))

        for n in ast.walk(tree):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                a = n.args
                pos = a.posonlyargs + a.args
                for arg, dv in zip(pos[len(pos) - len(a.defaults):], a.defaults):
                    v = self._default_value(dv)
                    if v is not None:
                        add(arg.arg, v, dv.lineno, f"{arg.arg} = {self.src.segment(dv)} (line {dv.lineno})")
                for arg, dv in zip(a.kwonlyargs, a.kw_defaults):
                    v = self._default_value(dv) if dv is not None else None
                    if v is not None:
                        add(arg.arg, v, dv.lineno, f"{arg.arg} = {self.src.segment(dv)} (line {dv.lineno})")
            elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.value is not None:
                v = literal_value(n.value)
                if v is not None:
                    add(n.target.id, v, n.lineno, f"{self.src.segment(n)} (line {n.lineno})")
            elif isinstance(n, ast.Assign) and len(n.targets) == 1:
                t = n.targets[0]
                name = t.id if isinstance(t, ast.Name) else (t.attr if isinstance(t, ast.Attribute) else None)
                v = literal_value(n.value)
                if name and v is not None:
                    add(name, v, n.lineno, f"{self.src.segment(n)} (line {n.lineno})")
        # keyword arguments that pass a literal, or a name with a literal default: gamma=scheduler_gamma
        for n in ast.walk(tree):
            if isinstance(n, ast.Call):
                for kw in n.keywords:
                    if kw.arg is None:
                        continue
                    v = literal_value(kw.value)
                    if v is not None:
                        add(kw.arg, v, kw.value.lineno, f"{kw.arg}={self.src.segment(kw.value)} (line {kw.value.lineno})")
                    elif isinstance(kw.value, ast.Name) and kw.value.id in d and kw.value.id != kw.arg:
                        for val, line, text in list(d[kw.value.id]):
                            add(kw.arg, val, kw.value.lineno, f"{kw.arg}={kw.value.id} (line {kw.value.lineno}), {text}")

    # -- scopes ---------------------------------------------------------------------------
    def _scope(self, body, qualname: str, params, class_prefix: str = ""):
        scope = _Scope(self, qualname, class_prefix)
        scope.block(body)
        for st in body:
            self._nested(st, qualname, class_prefix)

    def _nested(self, st, qualname, class_prefix):
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
            q = st.name if qualname == "<module>" else f"{qualname}.{st.name}"
            a = st.args
            self._scope(st.body, q, tuple(x.arg for x in a.posonlyargs + a.args), class_prefix)
        elif isinstance(st, ast.ClassDef):
            q = st.name if qualname == "<module>" else f"{qualname}.{st.name}"
            self._scope(st.body, q, (), class_prefix=f"{q}.")
        else:
            for child in _child_blocks(st):
                for s in child:
                    self._nested(s, qualname, class_prefix)

    # -- callee summaries ------------------------------------------------------------------
    def summary(self, key: str) -> tuple[_Callee, ir.Node] | None:
        """The value of function ``key`` (its last return) in terms of parameter placeholders."""
        h = self.callees.get(key)
        if h is None or len(self._summarizing) >= _MAX_INLINE_DEPTH or key in self._summarizing:
            return None
        if key not in self._summaries:
            self._summarizing.append(key)
            try:
                scope = _Scope(self, key, key.rsplit(".", 1)[0] + "." if "." in key else "", record=False)
                for p in h.params:
                    scope.env[p] = ir.sym(_placeholder(p))
                scope.block(h.body)
                self._summaries[key] = scope.last_return
            finally:
                self._summarizing.pop()
        node = self._summaries[key]
        return None if node is None else (h, node)


def _placeholder(name: str) -> str:
    return f"\x00param:{name}"


def _substitute(node: ir.Node, mapping: dict[str, ir.Node]) -> ir.Node | None:
    memo: dict[int, ir.Node | None] = {}

    def go(n: ir.Node):
        k = id(n)
        if k in memo:
            return memo[k]
        if n.op == "sym":
            r = mapping.get(n.value, n)
        elif not n.args:
            r = n
        else:
            args = [go(a) for a in n.args]
            r = None if any(a is None for a in args) else ir.op(n.op, *args)
        memo[k] = r
        return r

    return go(node)


def _child_blocks(st):
    if isinstance(st, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [st.body, st.orelse]
    if isinstance(st, (ast.With, ast.AsyncWith)):
        return [st.body]
    if isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
        return [st.body] + [h.body for h in st.handlers] + [st.orelse, st.finalbody]
    if type(st).__name__ == "Match":
        return [c.body for c in st.cases]
    return []


class _Scope:
    """Straight-line reading of one function body (or module/class body)."""

    def __init__(self, ex: _Extractor, qualname: str, class_prefix: str, record: bool = True):
        self.ex = ex
        self.qualname = qualname
        self.class_prefix = class_prefix
        self.env: dict[str, ir.Node] = {}
        self.origins: dict[str, tuple[int, str]] = {}
        self.record = record
        self.last_return: ir.Node | None = None
        self._made = False
        self._depth = 0
        self._stmt: ast.stmt | None = None
        self._inline_depth = 0

    # -- statements -----------------------------------------------------------------------
    def block(self, body):
        for st in body:
            self.stmt(st)

    def stmt(self, st):
        self._stmt = st
        if isinstance(st, ast.Assign):
            for t in st.targets:
                self.assign(t, st.value, st)
        elif isinstance(st, ast.AnnAssign) and st.value is not None:
            self.assign(st.target, st.value, st)
        elif isinstance(st, ast.AugAssign):
            key = self.target_key(st.target)
            if key is None:
                return
            self._made = False
            cur = self.lookup_key(key, st.target)
            rhs = self.expr(st.value)
            name = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}.get(type(st.op))
            node = ir.op(name, cur, rhs) if name else None
            self._made = node is not None
            self.bind(key, node, st, st.value)
        elif isinstance(st, (ast.For, ast.AsyncFor)):
            for name in _names(st.target):
                self.opaque(name, st, "loop variable")
            self.block(st.body)
            self.block(st.orelse)
        elif isinstance(st, (ast.With, ast.AsyncWith)):
            for item in st.items:
                if item.optional_vars is not None:
                    for name in _names(item.optional_vars):
                        self.opaque(name, st, _text(item.context_expr))
            self.block(st.body)
        elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.opaque(st.name, st, "definition")
        elif isinstance(st, ast.Return):
            if st.value is not None:
                self._made = False
                node = self.expr(st.value)
                self.last_return = node
                if self._made:
                    self.emit("return", node, st)
        elif isinstance(st, ast.Expr):
            self.scan_matrix_args(st.value, None, st)
        else:
            for child in _child_blocks(st):
                self.block(child)

    def assign(self, target, value, st):
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                nodes = []
                for v in value.elts:  # all right-hand sides first, as Python does
                    self._made = False
                    nodes.append((self.expr(v), self._made, v))
                for t, (n, made, v) in zip(target.elts, nodes):
                    key = self.target_key(t)
                    if key is not None:
                        self._made = made
                        self.bind(key, n, st, v)
            else:
                for name in _names(target):
                    self.opaque(name, st, _text(value))
            return
        key = self.target_key(target)
        if key is None:
            return
        self._made = False
        node = self.expr(value)
        self.bind(key, node, st, value)
        self.scan_matrix_args(value, key, st)

    def bind(self, key: str, node, st, value):
        if node is None:
            self.opaque(key, st, _text(value))
            return
        if node.op == "sym" and not isinstance(value, ast.Name):
            # a local that holds a leaf is the symbol named by the local (its origin kept)
            self.env[key] = ir.sym(key)
            self.origins[key] = (st.lineno, node.value if not node.value.startswith("\x00") else _text(value))
            self._targets(key)
            return
        self.env[key] = node
        self._targets(key)
        if node.op != "sym":
            # a copy (x = y of a computed y) is kept for expectations only: it names no new formula
            self.emit(key, node, st, alias=not self._made)

    def _targets(self, key):
        if self.record:
            self.ex.model.targets.setdefault(self.qualname, set()).add(key)

    def opaque(self, key: str, st, origin: str):
        self.env[key] = ir.sym(key)
        self.origins[key] = (getattr(st, "lineno", 0), origin)
        self._targets(key)

    def emit(self, target: str, node: ir.Node, st, context: str = "", alias: bool = False):
        if not self.record or not ir.free_symbols(node):
            return
        if any(s.startswith("\x00") for s in ir.free_symbols(node)):
            return
        used = {s: self.origins[s] for s in ir.free_symbols(node) if s in self.origins}
        self.ex.model.records.append(Record(
            self.ex.src.path, st.lineno, st.col_offset + 1, self.qualname, target,
            self.ex.src.segment(st), node, used, context, alias))

    def scan_matrix_args(self, value, key, st):
        """Matrices passed to a call the audit does not know (a covariance given to a sampler)."""
        if not isinstance(value, ast.Call) or self._known_call(value):
            return
        args = [(f"argument {i + 1}", a) for i, a in enumerate(value.args)]
        args += [(f"argument {kw.arg}", kw.value) for kw in value.keywords if kw.arg]
        callee = _dotted(value.func) or _text(value.func)
        for label, a in args:
            if not _mentions_matrix(a):
                continue
            self._made = False
            node = self.expr(a)
            if node is not None and node.shape is not None and self._made:
                self.emit(key or callee, node, st, context=f"{label} of {callee.split('.')[-1]}")

    # -- names ----------------------------------------------------------------------------
    def target_key(self, t) -> str | None:
        if isinstance(t, ast.Name):
            return t.id
        if isinstance(t, (ast.Attribute, ast.Subscript)):
            return _text(t)
        return None

    def lookup_key(self, key: str, node) -> ir.Node:
        hit = self.env.get(key)
        return hit if hit is not None else ir.sym(key)

    # -- expressions ----------------------------------------------------------------------
    def expr(self, node) -> ir.Node:
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return self.leaf(node)
            r = self._expr(node)
            return r if r is not None else self.leaf(node)
        finally:
            self._depth -= 1

    def leaf(self, node) -> ir.Node:
        text = _text(node)
        hit = self.env.get(text)
        return hit if hit is not None else ir.sym(text)

    def _expr(self, node):
        if isinstance(node, ast.Constant):
            v = literal_value(node)
            return None if v is None else ir.const(v)
        if isinstance(node, ast.Name):
            return self.lookup_key(node.id, node)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return self.leaf(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            if isinstance(node.op, ast.USub):
                a = self.expr(node.operand)
                return self.made(ir.op("neg", a))
            return None
        if isinstance(node, ast.BinOp):
            name = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}.get(type(node.op))
            if name is None:
                return None
            a, b = self.expr(node.left), self.expr(node.right)
            if name == "pow":
                return self.made(_power(a, b))
            return self.made(ir.op(name, a, b))
        if isinstance(node, ast.Call):
            return self.call(node)
        return None

    def made(self, n):
        if n is not None:
            self._made = True
        return n

    def _known_call(self, call: ast.Call) -> bool:
        f = call.func
        if isinstance(f, ast.Name):
            return f.id in _UNARY_FUNCS | _CASTS | _POW_FUNCS | {"int", "eye", "ones"} or f.id in self.ex.callees
        if isinstance(f, ast.Attribute):
            root = _dotted(f.value)
            if root is not None and root.split(".")[0] in self.ex.imports:
                return f.attr in _UNARY_FUNCS | _CASTS | _POW_FUNCS | {"eye", "ones"}
            return f.attr in _UNARY_FUNCS | _METHOD_CASTS | _POW_FUNCS
        return False

    def call(self, call: ast.Call):
        f = call.func
        pos = call.args
        if any(isinstance(a, ast.Starred) for a in pos):
            return None
        if isinstance(f, ast.Name):
            fname, module_call, receiver = f.id, True, None
            if fname in self.ex.callees and fname not in self.env:
                return self.inline(fname, call, bound_self=False)
        elif isinstance(f, ast.Attribute):
            root = _dotted(f.value)
            fname = f.attr
            if root is not None and root.split(".")[0] in self.ex.imports and root.split(".")[0] not in self.env:
                module_call, receiver = True, None
            else:
                module_call, receiver = False, f.value
                if root in ("self", "cls") and self.class_prefix and f"{self.class_prefix}{fname}" in self.ex.callees:
                    return self.inline(f"{self.class_prefix}{fname}", call, bound_self=True)
        else:
            return None

        if module_call:
            if fname in _UNARY_FUNCS and len(pos) == 1:
                return self.made(_unary(fname, self.expr(pos[0])))
            if fname in _POW_FUNCS and len(pos) == 2:
                return self.made(_power(self.expr(pos[0]), self.expr(pos[1])))
            if fname in _CASTS and len(pos) == 1:
                return self.expr(pos[0])
            if fname == "int" and len(pos) == 1:
                v = literal_value(pos[0])
                return None if v is None else ir.const(Fraction(int(v)))
            if fname in ("eye", "ones"):
                dims = self.dims(pos)
                if fname == "eye" and dims and len(dims) == 1:
                    return self.made(ir.eye(dims[0]))
                if fname == "eye" and dims and len(dims) == 2 and dims[0] == dims[1]:
                    return self.made(ir.eye(dims[0]))
                if fname == "ones" and dims and len(dims) == 2:
                    return self.made(ir.ones(dims[0], dims[1]))
                if fname == "ones" and dims and len(dims) == 1:
                    return None  # a vector of ones: not a covariance
            return None
        # a method call on a value
        if fname in _METHOD_CASTS:
            if isinstance(receiver, (ast.Attribute, ast.Subscript)) and _text(receiver) not in self.env:
                return ir.sym(_text(call))  # self.sigmas[i].item(): a leaf named by its text
            return self.expr(receiver)
        if fname in _UNARY_FUNCS and not pos:
            return self.made(_unary(fname, self.expr(receiver)))
        if fname in _POW_FUNCS and len(pos) == 1:
            return self.made(_power(self.expr(receiver), self.expr(pos[0])))
        return None

    def dims(self, pos) -> list[int] | None:
        items = pos
        if len(pos) == 1 and isinstance(pos[0], (ast.Tuple, ast.List)):
            items = pos[0].elts
        out = []
        for a in items:
            n = self.expr(a)
            if n is None or n.op != "const" or n.value.denominator != 1 or not (1 <= n.value <= 64):
                return None
            out.append(int(n.value))
        return out or None

    def inline(self, key: str, call: ast.Call, bound_self: bool):
        summ = self.ex.summary(key)
        if summ is None or call.keywords and any(k.arg is None for k in call.keywords):
            return None
        callee, node = summ
        params = list(callee.params)
        if callee.is_method and bound_self:
            params = params[1:]
            mapping = {_placeholder(callee.params[0]): ir.sym("self")}
        else:
            mapping = {}
        if len(call.args) > len(params):
            return None
        for p, a in zip(params, call.args):
            mapping[_placeholder(p)] = self.expr(a)
        for kw in call.keywords:
            if kw.arg not in params:
                return None
            mapping[_placeholder(kw.arg)] = self.expr(kw.value)
        if any(_placeholder(p) not in mapping for p in params if _placeholder(p) in ir.free_symbols(node)):
            return None  # a parameter left at its default: not inlined
        out = _substitute(node, mapping)
        return self.made(out)


def _names(t) -> list[str]:
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _names(e)]
    if isinstance(t, ast.Starred):
        return _names(t.value)
    if isinstance(t, (ast.Attribute, ast.Subscript)):
        return [_text(t)]
    return []


def _mentions_matrix(node) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
            if name in ("eye", "ones"):
                return True
    return False


def _unary(name: str, a: ir.Node | None) -> ir.Node | None:
    if a is None:
        return None
    if name in ("sqrt", "exp", "log"):
        return ir.op(name, a)
    if name == "rsqrt":
        s = ir.op("sqrt", a)
        return None if s is None else ir.op("div", ir.const(1), s)
    if name == "log1p":
        s = ir.op("add", ir.const(1), a)
        return None if s is None else ir.op("log", s)
    if name == "expm1":
        s = ir.op("exp", a)
        return None if s is None else ir.op("sub", s, ir.const(1))
    if name == "square":
        return ir.op("mul", a, a)
    if name == "reciprocal":
        return ir.op("div", ir.const(1), a)
    if name == "negative":
        return ir.op("neg", a)
    return None


def _power(a: ir.Node | None, b: ir.Node | None) -> ir.Node | None:
    if a is None or b is None:
        return None
    if b.op == "const" and b.value == Fraction(1, 2):
        return ir.op("sqrt", a)
    if b.op == "const" and b.value == Fraction(-1, 2):
        s = ir.op("sqrt", a)
        return None if s is None else ir.op("div", ir.const(1), s)
    if b.op == "const" and b.value == 1:
        return a
    if b.op != "const" or abs(b.value.numerator) > 64 or b.value.denominator > 8:
        return None  # a symbolic or huge exponent names no formula here (and 2 ** 10**9 must not be expanded)
    return ir.op("pow", a, b)


def extract(src: SourceFile) -> FileModel:
    """Every computing right-hand side of the file, as expressions of the file's own names."""
    try:
        return _Extractor(src).run()
    except RecursionError:
        from ..errors import InputError

        raise InputError(f"{src.path}: nesting too deep to read; simplify the deepest expression "
                         f"(the audit follows up to {_MAX_DEPTH} levels).") from None
