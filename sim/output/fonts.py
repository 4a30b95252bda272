"""The CJK font of the HTML reports: a subset of Noto Sans CJK SC embedded as a data URI.

A report must read the same on a machine without any Chinese font (every Chinese heading would
otherwise be an empty box). The charts use Noto Sans CJK SC from the ``mplfonts`` package (SIL
Open Font License 1.1); the report embeds the same font, cut down with fontTools to the
characters the page uses (tens of kB instead of 16 MB).
"""

from __future__ import annotations

import base64
import importlib.util
import io
from functools import cache
from pathlib import Path

from fontTools import subset

#: CSS family name of the embedded subset (first in the report's font stack).
FAMILY = "Report CJK"
FONT_FILE = "NotoSansCJKsc-Regular.otf"


@cache
def font_path() -> Path:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package (not imported)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        msg = "the mplfonts package is not installed (pip install mplfonts)"
        raise RuntimeError(msg)
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE


def subset_woff(text: str) -> bytes:
    """Return a WOFF font with exactly the glyphs `text` needs (deterministic bytes)."""
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = []  # no kerning or ligature tables: smaller, same look for CJK
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and licence notice records
    opts.notdef_outline = True
    font = subset.load_font(str(font_path()), opts)
    try:  # the font file stays open for lazy table loading until closed
        sub = subset.Subsetter(opts)
        sub.populate(text="".join(sorted(set(text))))
        sub.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, opts)
    finally:
        font.close()
    return buf.getvalue()


def font_face_css(text: str) -> str:
    """Return an ``@font-face`` rule embedding the subset for `text` as a data URI."""
    data = base64.b64encode(subset_woff(text)).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";'
        f'src:url(data:font/woff;base64,{data}) format("woff");font-display:block}}'
    )
