"""The status update a product manager would send: computed as a value (``update``), written as text (``text``)."""
