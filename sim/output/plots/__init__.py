"""Charts and maps (the only part of the package that imports matplotlib).

Every plotting function returns ``(fig, ax)`` and takes ``lang`` (``"zh"`` or ``"en"``);
`save` writes a PNG. Chinese text renders with Noto Sans CJK SC shipped by the ``mplfonts``
package (SIL Open Font License 1.1).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl

mpl.use("Agg")  # no screen on servers and CI; must precede pyplot

import matplotlib.pyplot as plt
import mplfonts
from matplotlib import font_manager

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plt", "save", "setup_fonts", "text"]


@cache
def setup_fonts() -> str:
    """Register the CJK font and make it the default sans-serif; return its family name."""

    font_path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(font_path))
    family = font_manager.FontProperties(fname=str(font_path)).get_name()
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False  # CJK fonts lack U+2212
    return family


def text(lang: str, zh: str, en: str) -> str:
    """Pick the Chinese or English form of a label."""
    return zh if lang == "zh" else en


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write `fig` as PNG to `path` (parents created), close it, and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fixed creation date in the metadata keeps PNG bytes reproducible.
    fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path
