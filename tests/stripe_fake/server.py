"""localstripe, run in-process on 127.0.0.1 in a background thread with its own event loop.

localstripe's CLI (``localstripe`` / ``python -m localstripe``) binds ``::`` (every
interface) and pickles its whole store to ``/tmp/localstripe.pickle`` after every write.
Neither is acceptable in tests, so this module does not use it:

* It imports ``localstripe.server`` (which builds a module-level aiohttp ``app`` at import
  time, registering some plain-function handlers that aiohttp flags with a
  ``DeprecationWarning``; that one warning is ignored locally around the import only).
* It builds a *fresh* ``aiohttp.web.Application`` per start, copying localstripe's routes
  and its ``error_middleware`` and ``auth_middleware`` but not ``save_store_middleware``
  (the pickle dump), so the server can be started and stopped any number of times.
* It serves that app with ``AppRunner`` + ``SockSite`` on a socket bound to
  ``127.0.0.1:0`` (a free port chosen by the kernel), in a daemon thread running its own
  event loop.
* localstripe keeps its state in module globals: ``localstripe.resources.store`` (a dict
  that also dumps itself to disk on every ``__setitem__``; that dump is replaced by a
  no-op on the instance while a server runs) and ``localstripe.webhooks._webhooks``.
  Hence one server per process. :meth:`LocalStripe.reset` empties both on the server's
  own loop and cancels webhook deliveries still waiting to be sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

_lock = threading.Lock()
_running: LocalStripe | None = None


def _import_localstripe():
    """Import localstripe.server, ignoring only aiohttp's warning about its sync handlers."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Bare functions are deprecated, use async ones",
            category=DeprecationWarning,
        )
        from localstripe import resources, server, webhooks

    return server, resources, webhooks


def _build_app() -> web.Application:
    server, _, _ = _import_localstripe()
    app = web.Application(middlewares=[server.error_middleware, server.auth_middleware])
    app.on_response_prepare.append(server.add_cors_headers)
    for route in server.app.router.routes():
        # route.handler is already the async wrapper aiohttp made for sync handlers.
        app.router.add_route(route.method, route.resource.canonical, route.handler)
    return app


def _webhook_tasks(webhooks) -> list[asyncio.Task]:
    """Webhook deliveries localstripe scheduled (each sleeps 1 s, then POSTs)."""
    code = webhooks._send_webhook.__code__
    return [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "cr_code", None) is code and not task.done()
    ]


def _no_dump() -> None:
    """Stands in for localstripe's Store.dump_to_disk (pickling to /tmp)."""


@dataclass
class LocalStripe:
    """A running localstripe server. ``base_url`` is ``http://127.0.0.1:<port>``."""

    base_url: str
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread
    _runner: web.AppRunner
    _stopped: bool = field(default=False)

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def _call(self, coro_fn: Callable[[], object], timeout: float = 10) -> object:
        if self._stopped:
            raise RuntimeError("localstripe is stopped")

        async def runner():
            return coro_fn()

        return asyncio.run_coroutine_threadsafe(runner(), self._loop).result(timeout)

    def reset(self) -> None:
        """Empty localstripe: every object, every webhook target, every pending delivery."""
        _, resources, webhooks = _import_localstripe()

        def clear() -> None:
            for task in _webhook_tasks(webhooks):
                task.cancel()
            resources.store.clear()
            webhooks._webhooks.clear()

        self._call(clear)

    def stop(self) -> None:
        """Stop the server, its loop and its thread; restore localstripe's globals."""
        global _running
        if self._stopped:
            return
        _, resources, webhooks = _import_localstripe()

        async def shutdown() -> None:
            await self._runner.cleanup()
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            resources.store.clear()
            webhooks._webhooks.clear()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._stopped = True
            with _lock:
                with contextlib.suppress(AttributeError):
                    del resources.store.dump_to_disk
                _running = None


def running_localstripe() -> LocalStripe | None:
    """The server this process is running, if any."""
    with _lock:
        return _running


def start_localstripe() -> tuple[str, Callable[[], None]]:
    """Start an empty localstripe on 127.0.0.1 and a free port: ``(base_url, stop)``."""
    server = start_localstripe_server()
    return server.base_url, server.stop


def start_localstripe_server() -> LocalStripe:
    """Like :func:`start_localstripe`, returning the :class:`LocalStripe` handle."""
    global _running
    _, resources, webhooks = _import_localstripe()
    with _lock:
        if _running is not None:
            raise RuntimeError("localstripe keeps module-global state: one server per process")
        resources.store.dump_to_disk = _no_dump  # instance attribute shadows the method
        resources.store.clear()
        webhooks._webhooks.clear()

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", 0))
        except OSError:
            sock.close()
            raise
        port = sock.getsockname()[1]

        loop = asyncio.new_event_loop()
        runner = web.AppRunner(_build_app(), access_log=None, handle_signals=False)
        started = threading.Event()
        failure: list[BaseException] = []

        async def setup() -> None:
            await runner.setup()
            await web.SockSite(runner, sock).start()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(setup())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                sock.close()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name=f"localstripe-{port}", daemon=True)
        thread.start()
        started.wait(10)
        if failure or not started.is_set():
            del resources.store.dump_to_disk
            raise RuntimeError("localstripe did not start") from (failure[0] if failure else None)

        _running = LocalStripe(f"http://127.0.0.1:{port}", loop, thread, runner)
        return _running
