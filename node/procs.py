"""Child processes that never outlive the process that started them."""

from __future__ import annotations


def die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM when the process that started it
    dies, however it dies (a crashed demo or test must not leave validators behind)."""
    try:
        import ctypes
        import signal as sig

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(sig.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the supervisor's own clean-up has to do


def pool_worker_init() -> None:
    """For a forked pool worker (the audit's): it inherits its parent's signal handlers
    (which only wake the parent's event loop) and would outlive a parent killed with
    SIGKILL, blocked on its queue; it takes the default SIGTERM and dies with its parent."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


__all__ = ["die_with_parent", "pool_worker_init"]
