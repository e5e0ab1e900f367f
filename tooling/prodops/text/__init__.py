"""Values in, text out: what every output (site, status updates, chat messages, exports) shares."""
