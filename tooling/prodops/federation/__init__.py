"""Several repositories: units that publish contracts, and references across them.

A company keeps one repository per business unit. Each unit publishes a *contract*
(:mod:`prodops.federation.contract`): its entities as the company may see them, in one
byte-stable JSON file. A repository declares the units it reads in ``[tool.prodops.federation]``
(:mod:`prodops.federation.units`), each pinned to a Git revision of the unit's repository or
to a published contract file, and may name their entities as ``UNIT:ID`` in the reference
fields whose schema pattern allows it; :mod:`prodops.federation.check` checks those
references against the pinned contracts, and :mod:`prodops.federation.pins` moves the pins.
A unit's repository is only ever read, at its pinned revision, never its working tree.
"""
