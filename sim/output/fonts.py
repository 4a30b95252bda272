"""The CJK font of the HTML pages: a subset of Noto Sans CJK SC embedded as a data URI.

A report must read the same on a machine without any Chinese font (every Chinese heading would
otherwise be an empty box). The charts use Noto Sans CJK SC from the ``mplfonts`` package (SIL
Open Font License 1.1); the report and the map page embed the same font, cut down with
fontTools to the characters the page uses (tens of kB instead of 16 MB).

Cutting the 16 MB font costs 0.5-2.5 s per page, so subsets are kept in a disk cache
(`font_cache_dir`), keyed by everything the bytes depend on: the sorted character set, the
font file's size and modification time, the fontTools version and the subsetting options
(`SUBSET_RECIPE`). A cached subset is the same bytes as a fresh one; a cache that cannot be
written or read is skipped, never an error.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import io
import os
import tempfile
from functools import cache
from pathlib import Path

import fontTools
from fontTools import subset

from sim.network.io import default_cache_dir

#: CSS family name of the embedded subset (first in the report's font stack).
FAMILY = "Report CJK"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
#: Environment variable naming the subset cache folder; ``off`` disables the cache.
CACHE_ENV = "SIM_FONT_CACHE"
#: Part of the cache key: change it whenever `subset_woff` changes how it subsets.
SUBSET_RECIPE = "woff; no layout features; name IDs 0-6; notdef outline; v1"
#: A WOFF file starts with this signature.
WOFF_MAGIC = b"wOFF"


@cache
def font_path() -> Path:
    """Path of Noto Sans CJK SC inside the installed ``mplfonts`` package (not imported)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        msg = "the mplfonts package is not installed (pip install mplfonts)"
        raise RuntimeError(msg)
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE


def font_cache_dir() -> Path | None:
    """Folder of cached subsets, or None when caching is off.

    ``$SIM_FONT_CACHE`` if set (``off`` or empty: no cache), else ``fonts`` beside the
    network cache (`sim.network.io.default_cache_dir`: ``$SIM_CACHE_DIR/fonts``, default
    ``.cache/fonts``).
    """
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in {"", "off", "0", "no"} else Path(env)
    return default_cache_dir().parent / "fonts"


def cache_key(chars: str, font: Path) -> str:
    """SHA-256 of what a subset's bytes depend on (characters, font file, fontTools, recipe).

    Parameters
    ----------
    chars
        The characters to keep, sorted and without repeats.
    font
        The font file subsetted; its size and modification time (ns) stand for its content.
    """
    st = font.stat()
    h = hashlib.sha256()
    for part in (
        SUBSET_RECIPE,
        fontTools.version,
        font.name,
        str(st.st_size),
        str(st.st_mtime_ns),
        chars,
    ):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _subset(chars: str, font: Path) -> bytes:
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = []  # no kerning or ligature tables: smaller, same look for CJK
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and licence notice records
    opts.notdef_outline = True
    f = subset.load_font(str(font), opts)
    try:  # the font file stays open for lazy table loading until closed
        sub = subset.Subsetter(opts)
        sub.populate(text=chars)
        sub.subset(f)
        buf = io.BytesIO()
        subset.save_font(f, buf, opts)
    finally:
        f.close()
    return buf.getvalue()


def _read_cached(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # a truncated or foreign file is ignored and rewritten
    if not data.startswith(WOFF_MAGIC) or len(data) < 44:
        return None
    if int.from_bytes(data[8:12], "big") != len(data):  # WOFF header: total length
        return None
    return data


def _write_cached(path: Path, data: bytes) -> None:
    """Write atomically (temporary file, then rename), so readers never see half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".woff")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only or full disk only costs the time of subsetting again


def subset_woff(text: str, *, cache_dir: Path | None = None, use_cache: bool = True) -> bytes:
    """Return a WOFF font with exactly the glyphs `text` needs (deterministic bytes).

    Parameters
    ----------
    text
        Characters to keep (order and repeats do not matter).
    cache_dir
        Subset cache folder; default `font_cache_dir` (which may turn the cache off).
    use_cache
        False: always subset, neither read nor write the cache.
    """
    chars = "".join(sorted(set(text)))
    font = font_path()
    folder = (cache_dir or font_cache_dir()) if use_cache else None
    if folder is None:
        return _subset(chars, font)
    path = folder / f"{cache_key(chars, font)}.woff"
    data = _read_cached(path)
    if data is None:
        data = _subset(chars, font)
        _write_cached(path, data)
    return data


def font_face_css(text: str) -> str:
    """Return an ``@font-face`` rule embedding the subset for `text` as a data URI."""
    data = base64.b64encode(subset_woff(text)).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";'
        f'src:url(data:font/woff;base64,{data}) format("woff");font-display:block}}'
    )
