"""The embedded CJK font subset and its disk cache (sim.output.fonts)."""

from __future__ import annotations

import os
import shutil

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont

from sim.output import fonts

TEXT = "韶关市应急救援 Report 2025"


def _no_subsetting(*_a, **_k):
    raise AssertionError("fontTools was called although the subset is cached")


def test_subset_has_exactly_the_glyphs_of_the_text(tmp_path):
    """The subset maps every character of the text, and no other CJK character."""
    data = fonts.subset_woff(TEXT, use_cache=False)
    path = tmp_path / "s.woff"
    path.write_bytes(data)
    cmap = TTFont(str(path)).getBestCmap()
    assert {chr(c) for c in cmap} >= set(TEXT) - {" "}
    assert "一" not in {chr(c) for c in cmap}  # U+4E00 is in the full font, not in the subset
    assert "一" in {chr(c) for c in TTFont(str(fonts.font_path()), lazy=True).getBestCmap()}


def test_cached_subset_is_the_same_bytes_and_skips_fonttools(tmp_path, monkeypatch):
    """First call writes the cache; the second reads it (fontTools not called), same bytes."""
    fresh = fonts.subset_woff(TEXT, use_cache=False)
    first = fonts.subset_woff(TEXT, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.woff"))
    assert len(files) == 1
    assert files[0].read_bytes() == fresh
    monkeypatch.setattr(subset, "Subsetter", _no_subsetting)
    second = fonts.subset_woff("".join(reversed(TEXT)) + TEXT, cache_dir=tmp_path)  # same set
    assert first == second == fresh
    with pytest.raises(AssertionError, match="cached"):  # another set: not in the cache
        fonts.subset_woff(TEXT + "一", cache_dir=tmp_path)


def test_key_follows_characters_font_file_and_fonttools_version(tmp_path, monkeypatch):
    """A changed font file (size or mtime) or fontTools version gives another key."""
    font = tmp_path / fonts.FONT_FILE
    shutil.copyfile(fonts.font_path(), font)
    k0 = fonts.cache_key("ab", font)
    assert fonts.cache_key("ab", font) == k0
    assert fonts.cache_key("abc", font) != k0
    st = font.stat()
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    k1 = fonts.cache_key("ab", font)
    assert k1 != k0
    monkeypatch.setattr(fonts.fontTools, "version", "0.0.0")
    assert fonts.cache_key("ab", font) != k1


def test_corrupt_cache_entry_is_replaced(tmp_path):
    """A truncated cache file is ignored and rewritten with the right bytes."""
    good = fonts.subset_woff(TEXT, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.woff")
    path.write_bytes(good[: len(good) // 2])
    assert fonts.subset_woff(TEXT, cache_dir=tmp_path) == good
    assert path.read_bytes() == good


def test_unwritable_cache_is_skipped(tmp_path):
    """A cache folder that cannot be created costs time, not an error."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    data = fonts.subset_woff(TEXT, cache_dir=blocker / "fonts")
    assert data == fonts.subset_woff(TEXT, use_cache=False)


def test_cache_folder_from_the_environment(tmp_path, monkeypatch):
    """$SIM_FONT_CACHE names the folder or turns it off; default beside the network cache."""
    monkeypatch.setenv(fonts.CACHE_ENV, str(tmp_path / "f"))
    assert fonts.font_cache_dir() == tmp_path / "f"
    monkeypatch.setenv(fonts.CACHE_ENV, "off")
    assert fonts.font_cache_dir() is None
    monkeypatch.delenv(fonts.CACHE_ENV)
    monkeypatch.setenv("SIM_CACHE_DIR", str(tmp_path / "c"))
    assert fonts.font_cache_dir() == tmp_path / "c" / "fonts"
