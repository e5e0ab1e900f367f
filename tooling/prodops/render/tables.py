"""Every data table's body cells named by their column, so a phone can show each row as a card.

On a narrow screen the site's style sheet stacks a labelled table (``po-table--stack``): each row
becomes a box and each cell a line that starts with its column's heading, read from the cell's
``data-label``. The headings are copied here, once, from the table's own ``<thead>``, so no
template has to repeat them; a row's first cell heads its box and needs no label. Only the generated tables (class ``po-table``) are touched; a cell that
spans columns keeps the heading of the column it starts in.
"""

from __future__ import annotations

import re
from html import escape, unescape

_TABLE = re.compile(r'<table class="po-table([^"]*)"(.*?)</table>', re.S)
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
_HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_BODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_CELL = re.compile(r"<(td|th)\b")
_SPAN = re.compile(r'colspan="(\d+)"')
_TAG = re.compile(r"<[^>]+>")


def label_cells(page: str) -> str:
    """``page`` with the cells of each ``po-table`` that has a heading row labelled by their column."""
    if 'class="po-table' not in page:
        return page
    return _TABLE.sub(_label_table, page)


def _label_table(match: re.Match[str]) -> str:
    classes, rest = match.group(1), match.group(2)
    head = _HEAD.search(rest)
    if head is None or "po-table--stack" in classes:
        return match.group(0)
    labels = [" ".join(unescape(_TAG.sub("", cell)).split()) for cell in _HEAD_CELL.findall(head.group(1))]
    if len(labels) < 2:
        return match.group(0)

    def rows(body: re.Match[str]) -> str:
        return body.group(1) + _ROW.sub(row, body.group(2)) + body.group(3)

    def row(found: re.Match[str]) -> str:
        cells = found.group(2)
        out, last, column = [], 0, 0
        for cell in _CELL.finditer(cells):
            end = cells.find(">", cell.end())
            opening = cells[cell.start() : end]
            label = labels[column] if column < len(labels) else ""
            out.append(cells[last : cell.end()])
            if label and column and "data-label=" not in opening:  # the first cell heads the row's box
                out.append(f' data-label="{escape(label)}"')
            last = cell.end()
            span = _SPAN.search(opening)
            column += int(span.group(1)) if span else 1
        out.append(cells[last:])
        return found.group(1) + "".join(out) + found.group(3)

    return f'<table class="po-table{classes} po-table--stack"' + _BODY.sub(rows, rest) + "</table>"
