"""The ``network:`` value of a scenario: the embedded network, a road-network file or a place.

One set of rules for the scenario validator, the ``--network`` flags and the network loader
(`sim.network.io.graph_from_spec`), so that checking a file says what loading it would say.
"""

from __future__ import annotations

import difflib
import stat
from pathlib import Path

__all__ = [
    "EMBEDDED",
    "GRAPHML_SUFFIXES",
    "OSM_SUFFIXES",
    "is_file_spec",
    "network_spec_problem",
    "resolve_network_spec",
]

#: The embedded, approximate township-level network of Shaoguan.
EMBEDDED = "shaoguan"
#: File names the loader reads as GraphML (written by ``osmnx.save_graphml``).
GRAPHML_SUFFIXES = (".graphml",)
#: File names the loader reads as OpenStreetMap data (XML, bzip2-compressed XML or PBF).
OSM_SUFFIXES = (".osm", ".osm.bz2", ".xml", ".osm.xml", ".osm.pbf", ".pbf")
_SUFFIXES = GRAPHML_SUFFIXES + OSM_SUFFIXES


def is_file_spec(text: str) -> bool:
    """Whether a ``network`` value names a file (by its suffix or a folder separator)."""
    value = text.strip()
    return value.lower().endswith(_SUFFIXES) or "/" in value or "\\" in value


def resolve_network_spec(text: str, base_dir: Path) -> str:
    """Return a file ``network`` value as an absolute path, relative ones from `base_dir`.

    The embedded network and place names are returned unchanged. A path is taken relative to
    the scenario file that names it (as ``extends:`` is), so a scenario runs the same from
    any working folder.
    """
    value = text.strip()
    if not is_file_spec(value) or "\0" in value:
        return text
    return str((base_dir / Path(value).expanduser()).absolute())


def network_spec_problem(text: str) -> str | None:
    """Say what is wrong with a ``network`` value as far as it can be known without loading it.

    Parameters
    ----------
    text
        ``shaoguan``, a path to a ``.graphml`` / ``.osm`` / ``.osm.bz2`` / ``.osm.pbf`` /
        ``.xml`` file, or a place name (downloaded with osmnx when the network is loaded).

    Returns
    -------
    problem
        ``expected ..., got ...``, or None when the value may be loaded: the embedded network,
        an existing regular file with a supported suffix, or a place name.
    """
    value = text.strip()
    if not value:
        return f"expected {EMBEDDED!r}, a road-network file or a place name, got an empty text"
    if "\0" in value:
        return f"expected a road-network file name, got {value[:40]!r} (it holds a NUL character)"
    if value.lower() == EMBEDDED:
        return None
    if not is_file_spec(value):
        # Any other text is a place to download; a slip on the embedded name is not one.
        if difflib.SequenceMatcher(None, value.lower(), EMBEDDED).ratio() >= 0.8:
            return (
                f"unknown network {value!r} (did you mean {EMBEDDED!r}?); other names are "
                "places downloaded from OpenStreetMap"
            )
        return None
    path = Path(value).expanduser()
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return f"road-network file {value!r} does not exist"
    except OSError as e:  # a name too long for the file system, no permission
        return f"cannot read road-network file {value!r} ({e.strerror or e})"
    if not stat.S_ISREG(info.st_mode):
        return f"expected a road-network file, got {value!r}, which is not a regular file"
    if not value.lower().endswith(_SUFFIXES):
        return (
            f"road-network file {value!r} has an unsupported format "
            f"(expected a name ending in {', '.join(_SUFFIXES)})"
        )
    return None
