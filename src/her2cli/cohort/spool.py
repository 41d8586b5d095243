"""The cohort's tables written as the samples finish, so that the parent's memory does not grow with the cohort.

With an output folder (and no rows kept as data for a library caller), the run hands each finished sample's
outcome, in sheet order, to a ``TableSpool`` in ``DIR/.her2-parts/spool/``: its alteration lines, verdict
line, CNA lines and cohort-page row are appended to files there, and its verdict is counted for the prevalence
table and the page's findings (``PrevalenceCounts``, ``CohortCounts``); nothing of the sample stays in memory.
``close()`` returns a ``Spooled`` record; the publisher moves the finished tables from the spool into its
staging folder and streams report.html from the rows file (``cohort.run.write_cohort_outputs``), so the set
is still published whole or not at all. A killed run leaves the spool inside ``.her2-parts`` (the run's own
working folder), never beside the published set; the next run starts it afresh.
"""

from __future__ import annotations

import os
import shutil
from typing import Iterator, Optional

from her2cli.io.atomic import output_error
from her2cli.values import valueclass

__all__ = ["SPOOL_DIR", "Spooled", "TableSpool", "read_chunks"]

SPOOL_DIR = "spool"  # inside journal.PARTS_DIR
_ROWS = "report-rows.html"  # the cohort page's Samples table rows
_CNA_NAMES, _CNA_VALUES = "data_CNA.names", "data_CNA.values"  # the wide matrix's header cells and its one row


@valueclass
class Spooled:
    """What a ``TableSpool`` wrote: table name (publisher.OUTPUT_FILES values) -> finished file, the file of
    the cohort page's Samples rows, and the counts behind the page (interpret.summary.CohortCounts)."""

    directory: str
    tables: dict
    report_rows: str
    counts: object


class TableSpool:
    """Appends each finished sample's part of the tables to files in ``directory`` (``add``, in sheet order)."""

    def __init__(self, directory: str, metadata_columns: list[str]) -> None:
        from her2cli.cohort.publisher import OUTPUT_FILES
        from her2cli.interpret.prevalence import PrevalenceCounts
        from her2cli.interpret.summary import CohortCounts
        from her2cli.interpret.verdict import SUMMARY_COLUMNS
        from her2cli.report.cna import LONG_COLUMNS
        from her2cli.report.columns import ALL_COLUMNS

        self.directory = directory
        self.columns = SUMMARY_COLUMNS + list(metadata_columns)
        self.prevalence = PrevalenceCounts()
        self.counts = CohortCounts()
        self.paths = {OUTPUT_FILES[key]: os.path.join(directory, OUTPUT_FILES[key])
                      for key in ("alterations", "samples", "cna")}
        headers = {OUTPUT_FILES["alterations"]: ALL_COLUMNS, OUTPUT_FILES["samples"]: self.columns,
                   OUTPUT_FILES["cna"]: LONG_COLUMNS}
        self.data_cna = OUTPUT_FILES["data_cna"]
        try:
            shutil.rmtree(directory, ignore_errors=True)  # a killed run's spool
            os.makedirs(directory)
            self.handles = {}
            for name, path in [*self.paths.items(), (_ROWS, os.path.join(directory, _ROWS)),
                               (_CNA_NAMES, os.path.join(directory, _CNA_NAMES)),
                               (_CNA_VALUES, os.path.join(directory, _CNA_VALUES))]:
                self.handles[name] = open(path, "w", encoding="utf-8", newline="")
            for name, columns in headers.items():
                self.handles[name].write("\t".join(columns) + "\n")
        except OSError as exc:
            self._close_handles()
            raise output_error(exc, directory) from None
        self.alterations, self.samples, self.cna = (self.handles[OUTPUT_FILES[k]] for k in ("alterations", "samples", "cna"))

    def add(self, outcome, page_link: Optional[str] = None) -> None:
        """One successful sample (worker.SampleOutcome); ``page_link``: its page, relative to report.html."""
        from her2cli.report.cna import LONG_COLUMNS, summary_cna
        from her2cli.report.html import cohort_sample_row
        from her2cli.report.tsv import render_lines

        try:
            self.alterations.write(outcome.rows_tsv)
            self.samples.write(render_lines(outcome.summaries, self.columns))
            # A resumed sample's rows were not rendered by a worker of this run (the journal keeps data only).
            self.handles[_ROWS].write(outcome.report_rows if outcome.report_rows or not outcome.summaries else
                                      "".join(cohort_sample_row(summary, page_link) for summary in outcome.summaries))
            for summary in outcome.summaries:
                self.prevalence.add(summary)
                self.counts.add(summary)
                call = summary_cna(summary)  # as report.cna.cohort_cna_tables, one sample
                if call is None:
                    continue
                sample, value = call
                self.cna.write(render_lines([{"Tumor_Sample_Barcode": sample, "Hugo_Symbol": "ERBB2",
                                              "Copy_Number_Alteration": value}], LONG_COLUMNS))
                self.handles[_CNA_NAMES].write(f"\t{sample}")
                self.handles[_CNA_VALUES].write(f"\t{value}")
        except OSError as exc:
            raise output_error(exc, self.directory) from None

    def close(self) -> Spooled:
        """Finish the files (data_CNA.txt from its two parts); the record of what was written."""
        from her2cli.report.cna import ENTREZ_ERBB2

        try:
            for name, handle in self.handles.items():
                handle.flush()
                if name in self.paths:  # a published table: a full disk shows here, as in io.atomic's writer
                    os.fsync(handle.fileno())
                handle.close()
            with open(os.path.join(self.directory, self.data_cna), "w", encoding="utf-8", newline="") as out:
                out.write("Hugo_Symbol\tEntrez_Gene_Id")
                for part, lead in ((_CNA_NAMES, ""), (_CNA_VALUES, f"\nERBB2\t{ENTREZ_ERBB2}")):
                    out.write(lead)
                    with open(os.path.join(self.directory, part), encoding="utf-8", newline="") as handle:
                        shutil.copyfileobj(handle, out, 1 << 20)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            self._close_handles()
            raise output_error(exc, self.directory) from None
        tables = {**self.paths, self.data_cna: os.path.join(self.directory, self.data_cna)}
        return Spooled(directory=self.directory, tables=tables, report_rows=os.path.join(self.directory, _ROWS),
                       counts=self.counts)

    def discard(self) -> None:
        """The run stopped: close the files (left in the run's working folder; the next run starts afresh)."""
        self._close_handles()

    def _close_handles(self) -> None:
        for handle in getattr(self, "handles", {}).values():
            try:
                handle.close()
            except OSError:
                pass


def read_chunks(path: str, size: int = 1 << 20) -> Iterator[str]:
    """A text file in pieces of ``size`` characters (report.html's Samples rows, streamed into the page)."""
    with open(path, encoding="utf-8", newline="") as handle:
        while True:
            chunk = handle.read(size)
            if not chunk:
                return
            yield chunk
