"""The runners: serial, a process pool, a Dask cluster, behind one interface chosen in one place
(``make_runner``, as cutadapt's). A runner takes ``(index, Job)`` pairs and calls ``on_done(index, outcome)``
in the calling thread as each sample completes; it never merges (the run does) and never raises for one
sample (the worker turns failures into error records).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from typing import Callable, Optional

from her2cli.cohort.worker import Job, SampleOutcome, crash_outcome, run_entry, run_jobs
from her2cli.errors import EXIT_USAGE, Her2Error

__all__ = ["CohortSetupError", "Runner", "SerialRunner", "PoolRunner", "DaskRunner", "make_runner"]

OnDone = Callable[[int, SampleOutcome], None]
Todo = list[tuple[int, Job]]


class CohortSetupError(Her2Error):
    """The run cannot start (e.g. --dask without the dask extra, cluster unreachable)."""

    exit_code = EXIT_USAGE


class Runner:
    """Runs jobs: ``run(todo, options, on_done)``."""

    def run(self, todo: Todo, options, on_done: OnDone) -> None:
        raise NotImplementedError


class SerialRunner(Runner):
    """In this process, one sample after the other."""

    def run(self, todo: Todo, options, on_done: OnDone) -> None:
        for index, job in todo:
            on_done(index, run_entry(job, options))


class PoolRunner(Runner):
    """Worker processes on this machine."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(self, todo: Todo, options, on_done: OnDone) -> None:
        _run_pool(todo, options, min(self.jobs, len(todo)), on_done)


class DaskRunner(Runner):
    """An existing Dask distributed cluster (``--dask ADDRESS``)."""

    def __init__(self, address: str) -> None:
        self.address = address

    def run(self, todo: Todo, options, on_done: OnDone) -> None:
        _run_dask(todo, options, self.address, on_done)


def make_runner(jobs: int = 1, dask_address: Optional[str] = None, n_samples: int = 0) -> Runner:
    """The one place the way of running is chosen: Dask when an address is given, a process pool for
    ``jobs > 1`` and more than one sample, else serial."""
    if jobs < 1:
        raise CohortSetupError(f"--jobs must be at least 1, got {jobs}")
    if dask_address:
        return DaskRunner(dask_address)
    if jobs > 1 and n_samples > 1:
        return PoolRunner(jobs)
    return SerialRunner()


# ------------------------------------------------------------------------------------------ process pool


def _isolated(job: Job, options, context) -> SampleOutcome:
    """Run one sample in its own single-process pool: a crash (segfault, OOM kill) is pinned on it."""
    from concurrent.futures.process import BrokenProcessPool

    pool = _new_pool(1, context)
    try:
        return pool.submit(run_entry, job, options).result()
    except BrokenProcessPool as exc:
        return crash_outcome(job.entry, str(exc) or "process pool broken")
    except BaseException:
        _kill_pool(pool)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


_PR_SET_PDEATHSIG = 1
_WATCHDOG_SECONDS = 0.5


def _worker_init(parent_pid: int) -> None:
    """In each worker: die with the parent, however it dies (SIGKILL included), and leave Ctrl-C to it.

    Linux delivers SIGKILL to the worker when its parent exits (prctl PR_SET_PDEATHSIG); a watchdog thread
    covers the rest (forkserver workers, whose parent is the fork server, and other systems)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool; no traceback per worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass
    direct = os.getppid() == parent_pid  # fork: the run is our parent; forkserver: the server is
    if not _parent_alive(parent_pid, direct):  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while _parent_alive(parent_pid, direct):
            time.sleep(_WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="her2-parent-watchdog", daemon=True).start()


def _parent_alive(pid: int, direct: bool) -> bool:
    if direct:  # a dead parent's children are re-parented at once, even before it is reaped
        return os.getppid() == pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # dead but not reaped yet (a zombie) is dead
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _new_pool(jobs: int, context):
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(),))


def _kill_pool(pool) -> None:
    """Stop the workers now (Ctrl-C, SIGTERM, an error): a worker stuck on a slow file must not outlive us."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            process.kill()
    # Wait for the pool's manager thread (quick: its workers are dead); left running, it races the
    # interpreter's exit and prints "Exception ignored ... Bad file descriptor".
    for _ in range(50):
        try:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        except RuntimeError:
            # Ctrl-C or SIGTERM came while submit() was starting that thread ("cannot join thread
            # before it is started"): it is running a moment later, or was never started at all.
            time.sleep(0.01)


def _pool_context():
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    # fork is cheapest, but forking a process that runs threads (a Dask client, a progress refresher) can
    # deadlock the child: then workers fork from a clean forkserver instead (they re-import __main__,
    # which must be guarded by `if __name__ == "__main__":` in a script).
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _warm_up() -> None:
    """Import the pipeline and load the bundled tables once in the parent: forked workers inherit them
    instead of each paying for it."""
    import importlib

    for name in ("variants.annotator", "variants.callers", "pipeline", "interpret.verdict", "io.fastscan", "io.tabix", "report.columns", "report.tsv", "report.html", "report.svg",
                 "io.vcf"):
        importlib.import_module(f"her2cli.{name}")
    from her2cli.interpret.evidence import load_evidence
    from her2cli.reference.transcript import load_transcript

    load_transcript()
    load_evidence()


_BATCH = 32


def _batches(todo: Todo, jobs: int) -> list[Todo]:
    """``todo`` cut into batches in order: half of each worker's share of what is left, 2 to _BATCH."""
    batches, start = [], 0
    while start < len(todo):
        size = max(2, min(_BATCH, (len(todo) - start) // (jobs * 2)))
        batches.append(todo[start:start + size])
        start += size
    return batches


def _run_pool(todo, options, jobs: int, on_done) -> None:
    """A process pool with a bounded window of samples in flight: if a worker dies (a C-level crash in a
    reader), only the samples in flight are suspects; each is rerun alone, the rest go on in a new pool."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    context = _pool_context()
    _warm_up()
    # Small panels take milliseconds each: send them in batches (up to 32 samples) so that inter-process
    # traffic and the parent's share of it do not dominate, smaller as the end nears so that no worker idles
    # while another finishes a long batch, and small enough that a crash pins few suspects.
    pending = _batches(todo, jobs)
    pending.reverse()  # pop() from the end = sheet order
    window = max(2, jobs * 2)
    any_result = False
    while pending:
        pool = _new_pool(jobs, context)
        in_flight: dict = {}
        broken = False
        try:
            while pending or in_flight:
                while pending and len(in_flight) < window:
                    batch = pending.pop()
                    in_flight[pool.submit(run_jobs, [job for _, job in batch], options)] = batch
                done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: in_flight[f][0][0]):
                    batch = in_flight[future]
                    try:
                        outcomes = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    del in_flight[future]
                    any_result = True
                    for (index, _), outcome in zip(batch, outcomes):
                        on_done(index, outcome)
                if broken:
                    break
        except BaseException:
            _kill_pool(pool)
            raise
        pool.shutdown(wait=not broken, cancel_futures=True)
        if broken:
            suspects = sorted((item for batch in in_flight.values() for item in batch), key=lambda item: item[0])
            outcomes = [(index, _isolated(job, options, context)) for index, job in suspects]
            if not any_result and all(o.error and "worker process died" in o.error["reason"] for _, o in outcomes):
                raise CohortSetupError(
                    "worker processes die at start-up (in a Python script, call run_cohort under "
                    "`if __name__ == \"__main__\":`); try --jobs 1")
            for index, outcome in outcomes:
                any_result = any_result or outcome.ok
                on_done(index, outcome)


# ------------------------------------------------------------------------------------------------ dask


def _run_dask(todo, options, address: str, on_done) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CohortSetupError("--dask needs the dask extra: pip install 'her2cli[dask]'") from None
    try:
        client = Client(address, timeout="20s", set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a bad address ...
        raise CohortSetupError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    try:
        options_future = client.scatter(options, broadcast=True)
        token = uuid.uuid4().hex[:12]
        futures = {}
        for index, job in todo:
            future = client.submit(run_entry, job, options_future, pure=False,
                                   key=f"her2-{token}-{index}")
            futures[future] = (index, job)
        for future in as_completed(list(futures), loop=client.loop):
            index, job = futures.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # KilledWorker, CommClosedError, ...
                outcome = crash_outcome(job.entry, f"dask: {type(exc).__name__}: {exc}")
            future.release()
            on_done(index, outcome)
        options_future.release()
    finally:
        client.close()
