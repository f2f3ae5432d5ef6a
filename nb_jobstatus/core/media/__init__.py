"""The files of a completed job: found again or downloaded into a bounded disk cache, probed
(an image's decoded size checked before decoding), and turned into small thumbnails.

- ``fetch``: ``cache_all(job)`` (the engine's media worker calls it), ``cache_one``, ``fetch``
- ``probe``, ``sizes``, ``thumbs``, ``av``: what a file is, its size as displayed, thumbnails
- ``store``: where files live and the index that maps assets to files
- ``cap``: the size cap, LRU eviction, ``cache_info()``, ``clear_cache()``
- ``save``: ``save_all(job, directory, timeout=...)``
- ``recent_jobs``: ``remember(job)`` and ``recent(limit)``, across kernel restarts
"""

from .av import av_format, wav_duration
from .cap import (
    CAP_ENV,
    DEFAULT_CAP,
    CacheInfo,
    cache_cap,
    cache_info,
    clear_cache,
    enforce_cap,
    parse_size,
)
from .fetch import cache_all, cache_one, fetch
from .probe import probe, probe_svg, sniff, svg_size
from .recent_jobs import RecentJob, recent, remember
from .recent_jobs import flush as flush_recent
from .record import DOWNLOAD_LIMIT, MAX_PIXELS, REFUSED, THUMB_BYTES, THUMB_SIDE, Media
from .save import NotSavedWarning, SavedFiles, save_all
from .sizes import WEB_FORMATS, decoded_size, web_formats
from .store import CACHE_ENV, cache_dir, cache_path, extension_of, safe_name
from .thumbs import make_thumbnail

__all__ = [
    "CACHE_ENV",
    "CAP_ENV",
    "DEFAULT_CAP",
    "DOWNLOAD_LIMIT",
    "MAX_PIXELS",
    "REFUSED",
    "THUMB_BYTES",
    "THUMB_SIDE",
    "WEB_FORMATS",
    "CacheInfo",
    "Media",
    "NotSavedWarning",
    "RecentJob",
    "SavedFiles",
    "av_format",
    "cache_all",
    "cache_cap",
    "cache_dir",
    "cache_info",
    "cache_one",
    "cache_path",
    "clear_cache",
    "decoded_size",
    "enforce_cap",
    "extension_of",
    "fetch",
    "make_thumbnail",
    "parse_size",
    "probe",
    "probe_svg",
    "recent",
    "remember",
    "flush_recent",
    "safe_name",
    "save_all",
    "sniff",
    "svg_size",
    "wav_duration",
    "web_formats",
]
