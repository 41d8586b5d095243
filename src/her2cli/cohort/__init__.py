"""Many samples at once: a sample sheet in, one set of tables and a report out.

Modules, low to high: ``sheet`` (the sample sheet), ``worker`` (one sample: rows, verdict, page),
``runners`` (serial, process pool, Dask; ``make_runner`` chooses), ``journal`` (resume), ``publisher``
(the output folder: checks, lock, publication as one set), ``run`` (``run_cohort``: a run end to end),
``study`` (a published study: a MAF, shared segment files, a case list).
"""
