"""How every sheet of a rekap workbook prints: paper, orientation, margins, scaling, the rows and columns repeated
on every page, the print area, the page order, and the header and footer.

Staff print the D.Hasil sheets and the findings for the recap meeting (rapat pleno), sign them and hand them
round, so a sheet must print as a document, not as a screenshot of a grid:

- paper F4 (folio, 215 × 330 mm, the size of Indonesian government forms; Excel's paper code 14, "Folio
  8½ × 13 in") or A4 (`--kertas a4`, or `kertas = "a4"` under `[cetak]` in the configuration file), landscape;
- a header with the election and the region the workbook covers, a footer with the sheet's name, "Halaman x
  dari y" and the short SHA-256 of the inputs (the same inputs give the same fingerprint, so a printed page can
  be matched with its files);
- a print area on every sheet (the table and its notes, nothing to the right of it), so that no page holds
  only the fill colour of empty cells;
- rows and columns that label the numbers repeated on every page (a D.Hasil sheet's title and unit headers,
  its No./Uraian/L-P-Jumlah columns; a list's header row), pages ordered across then down;
- scaling: a sheet that fits one page readably is fitted to it; a wider one keeps a readable size and goes
  across pages with its labels repeated.

The page geometry below is an estimate of what Excel and LibreOffice print (a column of width w holds w
digits of the default font, 11 pt Calibri, about 7 px at 96 dpi plus 5 px of padding; a row of the default
height is 15 pt), used to choose a scale; the spreadsheet program lays the page out itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rekap.i18n import C_, NC_

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

PAPERS: dict[str, tuple[int, float, float]] = {
    # name: (Excel's paperSize code, width mm, height mm), portrait
    "f4": (14, 215.9, 330.2),
    "a4": (9, 210.0, 297.0),
}
DEFAULT_PAPER = "f4"
MARGIN_SIDE_IN = 0.4
MARGIN_TOP_IN = 0.75
MARGIN_HEADER_IN = 0.3
MM_PER_IN = 25.4
PT_PER_MM = 72 / MM_PER_IN
DEFAULT_ROW_PT = 15.0
MIN_SCALE = 55
"""Below this the numbers are too small to read on paper: a wider sheet goes across pages instead."""
SAFETY = 0.97
"""Room for what the estimate does not see (fonts that differ by a pixel, rounding of row heights)."""

TEXTS: dict[str, tuple[str, str]] = {
    "page": NC_("print", "Halaman &P dari &N"),
    "inputs": NC_("print", "SHA-256 masukan {hash}"),
}


def paper_code(paper: str) -> str:
    """`paper` checked: one of PAPERS (ValueError otherwise; the CLI offers only these)."""
    key = paper.strip().lower()
    if key not in PAPERS:
        raise ValueError(f"paper must be one of {sorted(PAPERS)}, not {paper!r}")
    return key


def inputs_fingerprint(sha256s: Sequence[str]) -> str:
    """The first 12 hex digits of the SHA-256 of the inputs' SHA-256 (in input order): one short mark for every
    page printed from the same files."""
    if not sha256s:
        return ""
    return hashlib.sha256("\n".join(sha256s).encode("ascii", "replace")).hexdigest()[:12]


def _escape(text: str) -> str:
    """Text for a header or footer: '&' starts a code there."""
    return text.replace("&", "&&")


@dataclass(frozen=True)
class Printing:
    """The print settings of one workbook; `apply` puts them on a sheet (before or after its rows: a write-only
    sheet writes its page setup, header, footer and breaks after the rows)."""

    paper: str = DEFAULT_PAPER
    header: str = ""
    """Election and region, centred at the top of every page."""
    fingerprint: str = ""
    """The short SHA-256 of the inputs (`inputs_fingerprint`), at the right of the footer."""
    lang: str = "id"

    @property
    def page_mm(self) -> tuple[float, float]:
        """The printable width and height of a landscape page, in mm."""
        _code, width, height = PAPERS[self.paper]
        return (height - 2 * MARGIN_SIDE_IN * MM_PER_IN, width - 2 * MARGIN_TOP_IN * MM_PER_IN)

    def scale_for(self, widths: Sequence[float], height_pt: float) -> int:
        """The largest scale (percent, at most 100) at which columns of these `widths` (Excel's unit) and a block
        `height_pt` tall fit one page, but not below MIN_SCALE."""
        page_w, page_h = self.page_mm
        width_mm = column_mm(widths)
        height_mm = height_pt / PT_PER_MM
        fit = min(100.0, 100 * page_w / width_mm if width_mm else 100.0, 100 * page_h / height_mm if height_mm else 100.0)
        return max(MIN_SCALE, int(fit * SAFETY))

    def apply(
        self,
        ws: WriteOnlyWorksheet,
        *,
        area: str | None,
        title_rows: str | None = None,
        title_cols: str | None = None,
        fit_width: bool = False,
        fit_height: bool = False,
        scale: int | None = None,
    ) -> None:
        """Paper, landscape, margins, header and footer, the print area, the repeated rows and columns, the page
        order (across, then down), and the scaling: `fit_width`/`fit_height` fit the sheet to one page wide /
        tall (the other way as many pages as it takes), else `scale` percent."""
        from openpyxl.worksheet.page import PageMargins

        code, _w, _h = PAPERS[self.paper]
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = code
        ws.page_setup.pageOrder = "overThenDown"
        ws.page_margins = PageMargins(left=MARGIN_SIDE_IN, right=MARGIN_SIDE_IN, top=MARGIN_TOP_IN,
                                      bottom=MARGIN_TOP_IN, header=MARGIN_HEADER_IN, footer=MARGIN_HEADER_IN)
        if fit_width or fit_height:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth = 1 if fit_width else 0
            ws.page_setup.fitToHeight = 1 if fit_height else 0
        elif scale is not None:
            ws.page_setup.scale = max(10, min(400, int(scale)))
        if title_rows:
            ws.print_title_rows = title_rows
        if title_cols:
            ws.print_title_cols = title_cols
        if area:
            ws.print_area = area
        hf = ws.HeaderFooter
        if self.header:
            hf.oddHeader.center.text = _escape(self.header)
            hf.oddHeader.center.size = 9
        hf.oddFooter.left.text = "&A"
        hf.oddFooter.left.size = 8
        hf.oddFooter.center.text = C_(*TEXTS["page"], self.lang)
        hf.oddFooter.center.size = 9
        if self.fingerprint:
            hf.oddFooter.right.text = _escape(C_(*TEXTS["inputs"], self.lang, hash=self.fingerprint))
            hf.oddFooter.right.size = 8

    def breaks(self, ws: WriteOnlyWorksheet, after_rows: Sequence[int]) -> None:
        """A page break after each of these rows (a block per page)."""
        from openpyxl.worksheet.pagebreak import Break

        for row in after_rows:
            ws.row_breaks.append(Break(id=row))


def column_mm(widths: Sequence[float]) -> float:
    """The printed width of columns of these `widths` (Excel's unit: digits of the default font), in mm: 7 px a
    digit and 5 px of padding per column, at 96 px an inch."""
    return sum(w * 7 + 5 for w in widths) / 96 * MM_PER_IN


def workbook_printing(meta: Mapping[str, object] | None, lang: str, paper: str = DEFAULT_PAPER) -> Printing:
    """The print settings of a bundle's workbook from its meta: the header names the election(s) and the region
    the statement covers (rekap.statement), the footer the fingerprint of the inputs' SHA-256."""
    from rekap.i18n import election_title, level_name

    meta = meta or {}
    sha = [str(e.get("sha256")) for key in ("inputs", "reported") for e in _entries(meta.get(key)) if e.get("sha256")]
    master = meta.get("master")
    if isinstance(master, Mapping) and master.get("sha256"):
        sha.append(str(master["sha256"]))
    parts: list[str] = []
    statement = meta.get("statement")
    if isinstance(statement, Mapping):
        election = statement.get("election")
        codes: list[str] = []
        if isinstance(election, Mapping):
            if election.get("flag"):
                codes.append(str(election["flag"]))
            for entry in _entries(election.get("inputs")):
                found = entry.get("elections")
                if isinstance(found, Sequence) and not isinstance(found, str):
                    codes += [str(c) for c in found]
        titles = [election_title(c, lang) or c.upper() for c in dict.fromkeys(codes)]
        if titles:
            parts.append(", ".join(titles))
        scope = statement.get("scope")
        if isinstance(scope, Mapping):
            units = [
                f"{level_name(str(u.get('level')), lang).upper()} {u.get('nama_wilayah') or ''} ({u.get('kode_wilayah')})"
                .replace("  ", " ")
                for u in _entries(scope.get("units"))
            ]
            if units:
                parts.append(", ".join(units))
    return Printing(paper=paper_code(paper), header=" — ".join(parts), fingerprint=inputs_fingerprint(sha), lang=lang)


def _entries(value: object) -> list[Mapping[str, object]]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [e for e in value if isinstance(e, Mapping)]
    return []
