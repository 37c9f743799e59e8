"""Review stage, exports: a PDF document with the bundled DejaVu font (crawled text is full Unicode; control,
bidi and invisible characters are drawn as visible markers, webui.formatting.visible)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from webui.formatting import visible

FONTS = Path(__file__).resolve().parent / "fonts"


class NetralPDF(FPDF):
    """A4 portrait with a footer naming the page and the generator."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator("Netral")
        self.set_auto_page_break(True, margin=15)
        self.set_font("DejaVu", size=9)

    # Every text drawn (fields, headings, table cells, the footer) shows invisible characters as markers.
    def cell(self, w=None, h=None, text="", *args, **kwargs):
        return super().cell(w, h, visible(text), *args, **kwargs)

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        return super().multi_cell(w, h, visible(text), *args, **kwargs)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.cell(0, 5, f"Netral — {self.title} — halaman {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", size=9)

    def field(self, label: str, value) -> None:
        """One 'label: value' line; values wrap, and are plain text (fpdf2 does not interpret markup)."""
        self.set_font("DejaVu", "B", 9)
        self.cell(45, 5, label)
        self.set_font("DejaVu", size=9)
        self.multi_cell(0, 5, str(value if value not in (None, "") else "—"), new_x="LMARGIN", new_y="NEXT")

    def table(self, header: list[str], rows, widths: list[float] | None = None, size: int = 7) -> None:
        self.set_font("DejaVu", size=size)
        with super().table(col_widths=widths, text_align="LEFT", line_height=4) as table:
            head = table.row()
            for h in header:
                head.cell(str(h))
            for row in rows:
                line = table.row()
                for value in row:
                    line.cell("" if value is None else str(value))
        self.set_font("DejaVu", size=9)
