"""Product Ops as Code: validate, cross-link and publish a product organisation's operating system."""

from __future__ import annotations

__version__ = "0.1.0"
