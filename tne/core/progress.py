"""Progress of long work, reported the same way whether it runs from the CLI (a progress bar),
in the task worker (the job row the job page polls) or in a test (nothing)."""

import time

from django.core.cache import cache


class Progress:
    """Does nothing: the default."""

    def start(self, total: int, message: str = "") -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class BarProgress(Progress):
    def __init__(self, stream=None):
        self.stream = stream
        self.bar = None

    def start(self, total, message=""):
        from tqdm import tqdm

        self.close()
        self.bar = tqdm(total=total, desc=message, unit=" lignes", file=self.stream, leave=True)

    def advance(self, n=1):
        if self.bar is not None:
            self.bar.update(n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _live_key(job_id: int) -> str:
    return f"tne:job-progress:{job_id}"


class JobProgress(Progress):
    """Progress of a :class:`tne.core.models.Job` for its page, which polls it every second.

    The work often runs inside one long transaction (an import writes all or nothing), which hides
    any update of the job row from the web process until the commit. So the progress is published
    live in the cache (shared by the web and the task worker: ``CACHES`` in the settings), at most
    every ``every`` seconds, and written to the job row once, at :meth:`close`."""

    def __init__(self, job, every: float = 0.5):
        self.job = job
        self.every = every
        self._last = 0.0

    def start(self, total, message=""):
        self.job.total, self.job.done = total, 0
        if message:
            self.job.message = message
        self._publish(force=True)

    def advance(self, n=1):
        self.job.done += n
        self._publish()

    def close(self):
        type(self.job).objects.filter(pk=self.job.pk).update(
            total=self.job.total, done=self.job.done, message=self.job.message
        )
        cache.delete(_live_key(self.job.pk))

    def _publish(self, force=False):
        now = time.monotonic()
        if force or now - self._last >= self.every:
            self._last = now
            cache.set(
                _live_key(self.job.pk),
                (self.job.total, self.job.done, self.job.message),
                timeout=LIVE_TTL,
            )


# A live figure older than this belongs to a worker that died: the row is shown instead.
LIVE_TTL = 24 * 3600


def with_live_progress(job):
    """``job`` with the progress its worker is publishing right now, if it is running."""
    if not job.is_finished:
        live = cache.get(_live_key(job.pk))
        if live is not None:
            job.total, job.done, job.message = live
    return job
