from .core.media import *  # noqa: F403  (shim until the lead removes nb_jobstatus/media.py)
