"""The one way a value is written into an xlsx cell: text from input files (account names, manual
comments, labels) stays literal text, never a formula or an error code (formula injection), and
loses what XML cannot hold; numbers and dates keep the cell's format. The templates, the report
workbooks and the ``Källor`` sheets all write through ``put``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from bokslut.textsafety import xml_safe

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

DATE_FORMAT = "yyyy-mm-dd"


def put(cell: Cell, value: object) -> Cell:
    """Write ``value`` keeping the template's number format.

    ``None`` clears the cell; ``str`` is literal text (``data_type "s"``, illegal XML characters
    dropped); ``bool`` is refused (the templates have no boolean cells); ``Decimal`` becomes a
    float (Excel stores doubles); dates keep a date format.
    """
    if value is None:
        cell.value = None
        return cell
    if isinstance(value, bool):
        raise TypeError(f"{cell.coordinate}: sanningsvärde kan inte skrivas i en blankett")
    if isinstance(value, str):
        cell.value = xml_safe(value)
        cell.data_type = "s"  # never a formula or an error code, whatever the first character
        return cell
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        cell.value = value
        if not cell.is_date:
            cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, (int, float)):
        cell.value = value
        return cell
    raise TypeError(f"{cell.coordinate}: kan inte skriva {type(value).__name__} i en blankett")
