"""Delivery progress: tracker exports (Jira, GitHub, Linear) read into roadmap items' progress."""
