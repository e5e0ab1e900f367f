"""Delivery of status updates, the digest and reminders to chat, e-mail and webhooks (``prodops notify``)."""
