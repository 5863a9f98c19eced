"""No text from an address, a file, a cell or a form reaches a Markdown or HTML element unescaped
(issue 25: `/?niet_gevonden=...` put a link and a foreign image into st.info).

Every Streamlit call in dashboard.py, app.py, pages/ and ui/ that renders its text as Markdown (the
text elements, the alerts, captions, titles, st.write, widget labels and every `help=`) is found by
walking the code, and its text must be of one of these forms, recursively:
- a literal in the code (a string or a number);
- a catalogue text, `t(key, lang, **values)`, whose every value is itself of an allowed form; a code's
  words from the catalogue (`label`, `code_label`, `event_label`, `sheet`);
- a number or date written by eet.texts.formatting (`fmt.number`, `fmt.percent`, ...);
- a value passed through an escaping helper (`plain`, `fmt.plain`, `forms.plain`);
- an f-string, `+`, `a if c else b` or `sep.join(parts)` (parts a list, tuple, comprehension or
  `filter(None, ...)` of them) of allowed forms;
- a number: a numeric literal, `len(...)`, `int(...)`, `round(...)`, `abs(...)`, `threshold()` (the
  small-count threshold), or arithmetic (-, *, /, //, %) of allowed forms;
- a constant of the code: a name in UPPER_CASE (MAX_FAILED_ATTEMPTS, DEMO_PASSWORD);
- a local name whose every assignment in its function (or module) is of an allowed form;
- a call of a function of the same file, or of a module of this project it imports (`from
  eet.figures.disclosure import verdict_text`, `disclosure.verdict_text`), whose every `return` is
  of an allowed form in its own module;
- `**{k: v for ...}` as the values of a catalogue text, v of an allowed form.
Anything else (a query value, a cell, a file's text, a page title, a parameter) is a finding.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "dashboard.py", ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
         *sorted((ROOT / "ui").glob("*.py"))]

# st.<name>(text, ...): the first argument (or `body`/`label`) is Markdown.
MARKDOWN_FIRST = {"markdown", "info", "warning", "error", "success", "caption", "write", "title", "header",
                  "subheader", "toast", "expander", "popover", "metric", "button", "checkbox", "toggle", "radio",
                  "selectbox", "multiselect", "select_slider", "slider", "text_input", "text_area",
                  "number_input", "date_input", "time_input", "file_uploader", "download_button",
                  "form_submit_button", "link_button", "color_picker", "pills", "segmented_control",
                  "feedback", "chat_input"}
TEXT_KEYWORDS = {"body", "label", "help", "placeholder"}
CATALOGUE = {"t", "label", "code_label", "event_label", "sheet"}
ESCAPING = {"plain"}
NUMBERS = {"len", "int", "round", "abs", "threshold"}
FORMATTING = {"number", "figure", "percent", "euro", "signed", "long_date", "short_date", "month_label",
              }


def _name(func: ast.expr) -> tuple[str | None, str]:
    """(`module or object`, `function`) of a call's target."""
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        return (owner.id if isinstance(owner, ast.Name) else "?"), func.attr
    return "?", "?"


class Checker:
    def __init__(self, tree: ast.Module):
        self.assignments: dict[int, dict[str, list[ast.expr | None]]] = {}
        self.scope_of: dict[int, ast.AST] = {}
        for scope in [tree, *[n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]]:
            names: dict[str, list[ast.expr | None]] = {}
            params = set()
            if not isinstance(scope, ast.Module):
                params = {a.arg for a in [*scope.args.args, *scope.args.kwonlyargs, *scope.args.posonlyargs]}
            for param in params:
                names.setdefault(param, []).append(None)  # a parameter: its value is not known here
            for node in self._own_nodes(scope):
                self.scope_of[id(node)] = scope
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        self._bind(names, target, node.value)
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                    self._bind(names, node.target, node.value)
                elif isinstance(node, (ast.For, ast.comprehension, ast.With, ast.NamedExpr)):
                    for target in self._targets(node):
                        self._bind(names, target, None)
            self.assignments[id(scope)] = names

    @staticmethod
    def _own_nodes(scope):
        stack = list(ast.iter_child_nodes(scope))
        while stack:
            node = stack.pop()
            yield node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.extend(ast.iter_child_nodes(node))

    @staticmethod
    def _targets(node):
        if isinstance(node, (ast.For, ast.comprehension)):
            return [node.target]
        if isinstance(node, ast.With):
            return [item.optional_vars for item in node.items if item.optional_vars is not None]
        return [node.target]

    @staticmethod
    def _bind(names, target, value):
        if isinstance(target, ast.Name):
            names.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(
                target.elts) else [None] * len(target.elts)
            for element, part in zip(target.elts, values):
                Checker._bind(names, element, part)

    def safe(self, node: ast.expr, scope: ast.AST, seen: frozenset = frozenset()) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v.value if isinstance(v, ast.FormattedValue) else v, scope, seen)
                       for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div,
                                                                ast.FloorDiv, ast.Mod)):
            return self.safe(node.left, scope, seen) and self.safe(node.right, scope, seen)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self.safe(node.operand, scope, seen)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, scope, seen) and self.safe(node.orelse, scope, seen)
        if isinstance(node, ast.Call):
            owner, name = _name(node.func)
            if name in ESCAPING:
                return True
            if name in CATALOGUE and owner in (None, "catalogue", "texts"):
                return all(self.safe(k.value, scope, seen) if k.arg is not None else
                           isinstance(k.value, ast.DictComp) and self.safe(k.value.value, scope, seen)
                           for k in node.keywords)
            if name in NUMBERS and owner is None:
                return True
            target = self.resolve(owner, name)
            if target is not None and (id(target[1]), name) not in seen:
                checker, function = target
                returns = [n.value for n in checker._own_nodes(function) if isinstance(n, ast.Return)]
                if returns and all(r is not None and checker.safe(r, function, seen | {(id(function), name)})
                                   for r in returns):
                    return True
            if name in FORMATTING and owner == "fmt":
                return True
            if name == "join" and isinstance(node.func, ast.Attribute) and self.safe(node.func.value, scope, seen):
                argument = node.args[0] if node.args else None
                if isinstance(argument, ast.Call) and _name(argument.func) == (None, "filter") and len(argument.args) == 2:
                    argument = argument.args[1]  # filter(None, parts): the parts
                if isinstance(argument, (ast.ListComp, ast.GeneratorExp)):
                    return self.safe(argument.elt, scope, seen)
                if isinstance(argument, (ast.List, ast.Tuple)):
                    return all(self.safe(e, scope, seen) for e in argument.elts)
            return False
        if isinstance(node, ast.Name):
            if node.id.isupper():
                return True
            if node.id in seen:
                return True
            for where in (scope, self.module):
                values = self.assignments[id(where)].get(node.id)
                if values:
                    return all(v is not None and self.safe(v, where, seen | {node.id}) for v in values)
            return False
        return False


_CHECKERS: dict[Path, "Checker"] = {}


def checker_of(path: Path) -> "Checker":
    """The checker of a file of this project (parsed once)."""
    if path not in _CHECKERS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        checker = Checker(tree)
        checker.module, checker.path = tree, path
        checker.functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        checker.imported = {}  # local name -> (module path or None, name in it or None for a module)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("eet", "ui"):
                for alias in node.names:
                    as_module = _module_file(f"{node.module}.{alias.name}")
                    checker.imported[alias.asname or alias.name] = (
                        (as_module, None) if as_module else (_module_file(node.module), alias.name))
        _CHECKERS[path] = checker
    return _CHECKERS[path]


def _module_file(dotted: str) -> Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _resolve(self, owner, name):
    """(checker, function node) of the function a call names, when it is of this project."""
    if owner is None:
        if name in self.functions:
            return self, self.functions[name]
        module, inner = self.imported.get(name, (None, None))
        if module is not None and inner is not None:
            other = checker_of(module)
            if inner in other.functions:
                return other, other.functions[inner]
        return None
    module, inner = self.imported.get(owner, (None, None))
    if module is not None and inner is None:
        other = checker_of(module)
        if name in other.functions:
            return other, other.functions[name]
    return None


Checker.resolve = _resolve


def _markdown_texts(call: ast.Call):
    """The arguments of a Streamlit call that it renders as Markdown."""
    owner, name = _name(call.func)
    if owner not in ("st", "sidebar", "column", "col", "tab", "box", "form", "container", "left", "right"):
        return
    if name in MARKDOWN_FIRST and call.args:
        yield call.args[0]
    for keyword in call.keywords:
        if keyword.arg in TEXT_KEYWORDS or (keyword.arg == "label" and name == "page_link"):
            yield keyword.value


def findings(path: Path) -> list[str]:
    checker = checker_of(path)
    tree = checker.module
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for text in _markdown_texts(node):
                scope = checker.scope_of.get(id(node), tree)
                if not checker.safe(text, scope):
                    found.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{node.lineno}: {ast.unparse(node)[:120]}")
    return found


def test_every_markdown_text_is_a_catalogue_text_a_number_or_escaped():
    found = [line for path in FILES for line in findings(path)]
    assert found == [], "\n".join(found)


def test_the_checker_finds_a_query_value_in_an_alert(tmp_path):
    """The checker itself: the forms of issue 25's finding are caught, the allowed ones pass."""
    source = tmp_path / "page.py"
    source.write_text(
        "import streamlit as st\n"
        "missing = st.query_params.get('x')\n"
        "st.info(t('page_not_found', lang, path='/' + missing))\n"        # the finding
        "st.info(t('page_not_found', lang, path=plain('/' + missing)))\n"  # escaped: allowed
        "st.caption(f'{row.name}')\n"                                       # a cell: finding
        "st.metric(t('k', lang), fmt.number(3, lang), help=str(x))\n"       # help from anywhere: finding
        "def f(title):\n    st.title(title)\n", encoding="utf-8")           # a parameter: finding
    lines = [int(line.split(":")[1]) for line in findings(source)]
    assert lines == [3, 5, 6, 8]
