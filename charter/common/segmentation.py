"""Chinese word segmentation with jieba, loaded once per process with the dictionary jieba ships.

jieba is loaded on first use, never at import time (it takes about a second). It keeps its prefix-dictionary
cache under settings.VAR_DIR/jieba (a private temporary directory when that cannot be written), not in the
shared system temp directory: the cache is unmarshalled when read, so it must not be writable by others.
Nothing is downloaded.
"""

import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_jieba: Any = None


def _cache_dir() -> str:
    path = Path(settings.VAR_DIR) / "jieba"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return tempfile.mkdtemp(prefix="charter-jieba-")
    return str(path)


def jieba_load() -> Any:
    """Return the jieba module, imported and initialised once per process, quietly, with its cache in our
    own directory (with jieba.analyse imported too, for keyword extraction)."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba
            import jieba.analyse

            jieba.setLogLevel(logging.WARNING)
            jieba.dt.tmp_dir = _cache_dir()
            jieba.initialize()
            _jieba = jieba
    return _jieba
