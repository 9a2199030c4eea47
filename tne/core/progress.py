"""Progress of long work, reported the same way whether it runs from the CLI (a progress bar),
in the task worker (the job row the job page polls) or in a test (nothing)."""

import time


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


class JobProgress(Progress):
    """Writes progress to a :class:`tne.core.models.Job`, at most every ``every`` seconds."""

    def __init__(self, job, every: float = 0.5):
        self.job = job
        self.every = every
        self._last = 0.0

    def start(self, total, message=""):
        self.job.total, self.job.done = total, 0
        if message:
            self.job.message = message
        self._save(force=True)

    def advance(self, n=1):
        self.job.done += n
        self._save()

    def close(self):
        self._save(force=True)

    def _save(self, force=False):
        now = time.monotonic()
        if force or now - self._last >= self.every:
            self._last = now
            type(self.job).objects.filter(pk=self.job.pk).update(
                total=self.job.total, done=self.job.done, message=self.job.message
            )
