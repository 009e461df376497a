"""kejiju — 科技局业务管理平台."""

__version__ = "0.1.0"
