"""openpyxl helpers for filling the city's templates.

* ``insert_table_rows`` adds rows inside a table the way a user does in Excel: the new rows take
  the first template row's formats and formulas, and every formula that points at or below the
  insertion (sum rows, other sheets) follows, so ``=SUM(B11:B15)`` becomes ``=SUM(B11:B17)``.
  openpyxl's own ``insert_rows`` moves cell contents only; merged cells, row heights, data
  validations and formulas are shifted here.
* ``put`` writes one value: numbers as numbers, dates as dates, text always as literal text (a
  name starting with ``=`` never becomes a formula).
* ``evaluate`` computes the simple formulas the templates hold (arithmetic, comparisons, SUM, IF,
  AND, OR, ABS, MIN, MAX, ROUND) so rules and tests can check a sheet without a spreadsheet
  program. LibreOffice is the real check (tests/templates); this is the fast one.
"""

from __future__ import annotations

import re
from copy import copy
from datetime import date, datetime
from decimal import Decimal

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet


_CELL = re.compile(r"^(\$?)([A-Z]{1,3})(\$?)(\d+)$")
_ROW_ONLY = re.compile(r"^(\$?)(\d+)$")


# ------------------------------------------------------------------------------------- writing


def is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


def formula_cells(ws: Worksheet):
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (cell.data_type != "s" and is_formula(cell.value)):
                yield cell


# ------------------------------------------------------------------------------ row insertion


def _shift_cell(ref: str, at: int, n: int) -> str:
    m = _CELL.match(ref)
    if m:
        row = int(m.group(4))
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{row + n if row >= at else row}"
    m = _ROW_ONLY.match(ref)
    if m:
        row = int(m.group(2))
        return f"{m.group(1)}{row + n if row >= at else row}"
    return ref  # a whole column (B:B) or a name


def _split_sheet(operand: str) -> tuple[str | None, str]:
    if "!" not in operand:
        return None, operand
    sheet, ref = operand.rsplit("!", 1)
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref


def shift_formula(formula: str, sheet: str, at: int, n: int, *, own_sheet: bool) -> str:
    """Move every reference to rows ``>= at`` of ``sheet`` down ``n`` rows.

    ``own_sheet``: the formula lives on ``sheet`` (unqualified references point there too).
    A range that spans ``at`` grows; one that starts at or below it moves.
    """
    tokenizer = Tokenizer(formula)
    changed = False
    for token in tokenizer.items:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        target, ref = _split_sheet(token.value)
        if (target is None and not own_sheet) or (target is not None and target != sheet):
            continue
        new = ":".join(_shift_cell(part, at, n) for part in ref.split(":"))
        if new != ref:
            prefix = token.value[: len(token.value) - len(ref)]
            token.value = prefix + new
            changed = True
    return tokenizer.render() if changed else formula


def _shift_range(cell_range: CellRange, at: int, n: int) -> None:
    if cell_range.min_row >= at:
        cell_range.shift(row_shift=n)
    elif cell_range.max_row >= at:
        cell_range.expand(down=n)


def insert_table_rows(wb: Workbook, ws: Worksheet, at: int, n: int, template_row: int) -> None:
    """Insert ``n`` rows before row ``at`` of ``ws``, formatted and with formulas like ``template_row``.

    ``template_row`` must lie above ``at`` (it is not moved). Formulas everywhere in the workbook
    that refer to rows ``>= at`` of this sheet are moved, so a sum over the table grows with it.
    """
    if n <= 0:
        return
    if template_row >= at:
        raise ValueError("mallraden måste ligga ovanför raderna som infogas")
    merged = [CellRange(r.coord) for r in ws.merged_cells.ranges]
    for r in list(ws.merged_cells.ranges):
        ws.unmerge_cells(r.coord)
    heights = {i: copy(d) for i, d in ws.row_dimensions.items() if i >= at}
    for i in heights:
        del ws.row_dimensions[i]
    ws.insert_rows(at, n)
    # Formulas (the moved cells still hold their old references).
    for other in wb.worksheets:
        own = other is ws
        for cell in formula_cells(other):
            cell.value = shift_formula(cell.value, ws.title, at, n, own_sheet=own)
    for cell_range in merged:
        _shift_range(cell_range, at, n)
        ws.merge_cells(cell_range.coord)
    for i, dimension in heights.items():
        dimension.index = i + n
        ws.row_dimensions[i + n] = dimension
    for i in range(at, at + n):
        ws.row_dimensions[i].height = ws.row_dimensions[template_row].height
    for validation in ws.data_validations.dataValidation:
        ranges = [CellRange(r.coord) for r in validation.sqref.ranges]
        for cell_range in ranges:
            _shift_range(cell_range, at, n)
        validation.sqref = MultiCellRange(" ".join(r.coord for r in ranges))
    # The new rows look like the template row and carry its row formulas.
    for col in range(1, ws.max_column + 1):
        source = ws.cell(template_row, col)
        for row in range(at, at + n):
            target = ws.cell(row, col)
            if source.has_style:
                target._style = copy(source._style)
            if is_formula(source.value) and source.data_type != "s":
                origin = f"{get_column_letter(col)}{template_row}"
                target.value = Translator(source.value, origin=origin).translate_formula(target.coordinate)
            else:
                target.value = None


# --------------------------------------------------------------------------------- evaluation


class FormulaError(ValueError):
    """A formula the evaluator does not understand or cannot compute (Swedish message)."""


class _Empty:
    """An empty cell: 0 in arithmetic, equal to both 0 and "" as in Excel."""

    def __eq__(self, other: object) -> bool:
        return other in (0, "") or isinstance(other, _Empty)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<tom>"


EMPTY = _Empty()


def _num(value: object) -> float:
    if isinstance(value, _Empty) or value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, (date, datetime)):
        raise FormulaError("datum i en beräkning stöds inte")
    raise FormulaError(f"texten {value!r} används som tal")


class _Parser:
    """Recursive descent over openpyxl's formula tokens, evaluated lazily (IF skips a branch)."""

    def __init__(self, wb: Workbook, ws: Worksheet, formula: str, depth: int):
        self.wb, self.ws, self.depth = wb, ws, depth
        self.tokens = [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
        self.i = 0

    # token stream
    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise FormulaError("formeln tar slut för tidigt")
        self.i += 1
        return token

    # grammar: each method returns a thunk (callable) so IF can choose a branch
    def parse(self):
        node = self.comparison()
        if self.peek() is not None:
            raise FormulaError(f"oväntat {self.peek().value!r}")
        return node

    def _infix(self, ops: set[str]):
        token = self.peek()
        if token is not None and token.type == Token.OP_IN and token.value in ops:
            self.i += 1
            return token.value
        return None

    def comparison(self):
        left = self.additive()
        while (op := self._infix({"=", "<>", "<", ">", "<=", ">="})) is not None:
            right = self.additive()
            left = (lambda l, r, o: lambda: _compare(l(), r(), o))(left, right, op)
        return left

    def additive(self):
        left = self.multiplicative()
        while (op := self._infix({"+", "-"})) is not None:
            right = self.multiplicative()
            left = (lambda l, r, o: lambda: _num(l()) + _num(r()) if o == "+" else _num(l()) - _num(r()))(left, right, op)
        return left

    def multiplicative(self):
        left = self.power()
        while (op := self._infix({"*", "/"})) is not None:
            right = self.power()
            left = (lambda l, r, o: lambda: _mul(l(), r(), o))(left, right, op)
        return left

    def power(self):
        left = self.unary()
        while self._infix({"^"}) is not None:
            right = self.unary()
            left = (lambda l, r: lambda: _num(l()) ** _num(r()))(left, right)
        return left

    def unary(self):
        token = self.peek()
        if token is not None and token.type == Token.OP_PRE:
            self.i += 1
            inner = self.unary()
            return (lambda f: lambda: -_num(f()))(inner) if token.value == "-" else inner
        return self.postfix()

    def postfix(self):
        node = self.primary()
        token = self.peek()
        while token is not None and token.type == Token.OP_POST and token.value == "%":
            self.i += 1
            node = (lambda f: lambda: _num(f()) / 100)(node)
            token = self.peek()
        return node

    def primary(self):
        token = self.take()
        if token.type == Token.OPERAND:
            if token.subtype == Token.NUMBER:
                value = float(token.value)
                return lambda: value
            if token.subtype == Token.TEXT:
                text = token.value[1:-1].replace('""', '"')
                return lambda: text
            if token.subtype == Token.LOGICAL:
                flag = token.value.upper() == "TRUE"
                return lambda: flag
            if token.subtype == Token.RANGE:
                ref = token.value
                return lambda: self.reference(ref)
            raise FormulaError(f"okänd operand {token.value!r}")
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            node = self.comparison()
            closing = self.take()
            if closing.type != Token.PAREN:
                raise FormulaError("parentes saknas")
            return node
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper()
            args = []
            if not (self.peek() is not None and self.peek().type == Token.FUNC and self.peek().subtype == Token.CLOSE):
                args.append(self.comparison())
                while (sep := self.peek()) is not None and sep.type == Token.SEP and sep.subtype == Token.ARG:
                    self.i += 1
                    args.append(self.comparison())
            closing = self.take()
            if closing.type != Token.FUNC or closing.subtype != Token.CLOSE:
                raise FormulaError(f"{name}: stängande parentes saknas")
            return self.function(name, args)
        raise FormulaError(f"oväntat {token.value!r}")

    def function(self, name: str, args: list):
        if name == "IF":
            if len(args) not in (2, 3):
                raise FormulaError("OM/IF tar två eller tre argument")
            cond, then = args[0], args[1]
            other = args[2] if len(args) == 3 else (lambda: False)
            return lambda: then() if _truth(cond()) else other()
        if name in ("SUM", "MIN", "MAX"):
            def aggregate():
                values = [v for a in args for v in _flatten(a()) if not isinstance(v, (_Empty, str)) and v is not None]
                numbers = [_num(v) for v in values]
                if name == "SUM":
                    return sum(numbers)
                return (min if name == "MIN" else max)(numbers) if numbers else 0.0
            return aggregate
        if name in ("AND", "OR"):
            combine = all if name == "AND" else any
            return lambda: combine(_truth(v) for a in args for v in _flatten(a()))
        if name == "ABS" and len(args) == 1:
            return lambda: abs(_num(args[0]()))
        if name == "ROUND" and len(args) == 2:
            return lambda: round(_num(args[0]()), int(_num(args[1]())))
        raise FormulaError(f"funktionen {name} stöds inte av kontrollen")

    def reference(self, ref: str):
        sheet_name, address = _split_sheet(ref)
        ws = self.wb[sheet_name] if sheet_name else self.ws
        address = address.replace("$", "")
        if ":" in address:
            min_col, min_row, max_col, max_row = range_boundaries(address)
            return [self.value(ws, r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
        min_col, min_row, _, _ = range_boundaries(address)
        return self.value(ws, min_row, min_col)

    def value(self, ws: Worksheet, row: int, col: int):
        cell = ws.cell(row, col)
        if cell.value is None or cell.value == "":
            return EMPTY
        if cell.data_type != "s" and is_formula(cell.value):
            if self.depth > 50:
                raise FormulaError("cirkelreferens eller för djup formel")
            return _Parser(self.wb, ws, cell.value, self.depth + 1).parse()()
        return cell.value


def _flatten(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _truth(value: object) -> bool:
    if isinstance(value, list):
        raise FormulaError("ett område kan inte vara ett villkor")
    if isinstance(value, _Empty) or value is None:
        return False
    if isinstance(value, str):
        raise FormulaError(f"texten {value!r} används som villkor")
    return bool(value)


def _compare(left: object, right: object, op: str) -> bool:
    if isinstance(left, _Empty):
        left = "" if isinstance(right, str) else 0.0
    if isinstance(right, _Empty):
        right = "" if isinstance(left, str) else 0.0
    if isinstance(left, str) != isinstance(right, str):
        return op == "<>"
    if not isinstance(left, str):
        left, right = _num(left), _num(right)
    else:
        left, right = left.casefold(), right.casefold()
    return {"=": left == right, "<>": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[op]


def _mul(left: object, right: object, op: str) -> float:
    a, b = _num(left), _num(right)
    if op == "*":
        return a * b
    if b == 0:
        raise FormulaError("division med noll (#DIVISION/0!)")
    return a / b


def evaluate(wb: Workbook, ws: Worksheet, formula: str) -> object:
    """The value of ``formula`` (``"=..."``) on ``ws``; cells holding formulas are evaluated too."""
    if not is_formula(formula):
        return formula
    return _Parser(wb, ws, formula, 0).parse()()


def cell_value(wb: Workbook, ws: Worksheet, coordinate: str) -> object:
    """A cell's displayed value: the evaluated formula, or the stored value (None when empty)."""
    cell = ws[coordinate]
    if cell.data_type != "s" and is_formula(cell.value):
        return evaluate(wb, ws, cell.value)
    return cell.value
