"""Development and the embedded single-PC setup (``make run``)."""

from kejiju.config.env import env_str

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = env_str("KEJIJU_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789")
