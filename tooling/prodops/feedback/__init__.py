"""The customer feedback loop: exports of support, sales, survey and idea-board tools in, demand on insights out.

The stages run one way, one module each: ``read`` (bytes of an export to raw records),
``mapping`` (a source's columns to normalised records), ``accounts`` (revenue by account),
``match`` (records to insights), ``counted`` (the ids of the records already counted, so none
counts twice), ``scrub`` (personal data out of quotes), ``aggregate``
(per insight, source and month), ``write`` (the demand blocks into insight files) and
``unmatched`` (the triage report). ``insight`` reads insights back for rules, reports and pages.
"""
