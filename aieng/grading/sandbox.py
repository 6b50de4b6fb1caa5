"""Kernels that run the course's Python, and, when grading, run it caged.

``CourseKernelManager`` always starts ``sys.executable -m ipykernel_launcher``,
so notebooks run with the virtualenv's Python whatever kernelspec a machine
has installed. ``GradingKernelManager`` adds what learner code needs when an
instructor runs it:

- with bubblewrap (Debian ``bubblewrap``): a read-only root, no network, its
  own PID space, a private ``/tmp`` and ``$HOME``, and the course's secrets
  (``solutions/``, ``.grading/``, ``.git`` ...) masked, with only the
  submission's folder writable. The kernel is interrupted by message, since
  signals stop at the sandbox;
- always: an address-space cap (``MemoryError`` instead of a swapping box), a
  file-size cap, and an environment without keys or provider settings, so the
  course model answers, offline and deterministically.

Without bubblewrap it degrades to the limits and the clean environment, and
logs a warning once.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, NoSuchKernel

from aieng.grading.bridge import SANDBOX_MODEL_PORT, bridge_command
from aieng.settings import repo_root

__all__ = [
    "CourseKernelManager",
    "GradingKernelManager",
    "SandboxPolicy",
    "bwrap_available",
    "describe_protection",
]

logger = logging.getLogger(__name__)

# Variables a graded kernel keeps; everything else (keys, tokens, provider
# settings) is dropped.
KEPT_ENV = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TERM",
    "VIRTUAL_ENV",
    "NBGRADER_EXECUTION",
    "HF_HOME",  # read-only model cache
)
KEPT_ENV_PREFIXES = ("LC_", "JUPYTER_", "PYTHON")
OFFLINE_ENV = {
    "AIENG_PROVIDER": "course",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    # glibc reserves a 64 MiB arena per thread: under an address-space cap a
    # kernel that streams output (many threads) died at 1 GiB; two arenas do.
    "MALLOC_ARENA_MAX": "2",
}
FILE_SIZE_CAP = 1 << 30

# Sets the limits, then becomes the kernel: `python -c SHIM MEMORY FSIZE CMD...`.
LIMITS_SHIM = """\
import os, resource, sys
for limit, value in ((resource.RLIMIT_AS, int(sys.argv[1])), (resource.RLIMIT_FSIZE, int(sys.argv[2]))):
    if value > 0:
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass
os.execv(sys.argv[3], sys.argv[3:])
"""


@functools.cache
def bwrap_available() -> bool:
    """Whether bubblewrap is installed and can create namespaces on this machine."""
    path = shutil.which("bwrap")
    if not path:
        return False
    probe = [path, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@dataclass(frozen=True)
class SandboxPolicy:
    """How to cage one graded kernel.

    Attributes:
        mode: ``"auto"`` (bubblewrap when it works), ``"bwrap"`` or ``"none"``.
        memory_mb: address-space cap; 0 for none.
        hide: folders the kernel must not see (masked by an empty tmpfs).
        course_model_url: the course model for kernels without a sandbox.
        course_model_socket: the course model's unix socket for sandboxed
            kernels (reached through ``aieng.grading.bridge``). Without
            either, a kernel starts its own course model when it needs one.
    """

    mode: str = "auto"
    memory_mb: int = 4096
    hide: tuple[str, ...] = ()
    course_model_url: str = ""
    course_model_socket: str = ""
    extra_env: tuple[tuple[str, str], ...] = field(default=())

    @property
    def use_bwrap(self) -> bool:
        if self.mode == "none":
            return False
        if bwrap_available():
            return True
        if self.mode == "bwrap":
            logger.warning("bubblewrap is not usable here: learner code runs without a sandbox")
        else:
            _warn_no_sandbox()
        return False


@functools.cache
def _warn_no_sandbox() -> None:
    logger.warning(
        "bubblewrap not found: learner code runs with memory limits but no sandbox "
        "(install it: apt-get install bubblewrap)"
    )


class CourseKernelManager(AsyncKernelManager):
    """A kernel manager whose Python kernels run ``sys.executable``.

    On POSIX the kernel talks over unix sockets in a private folder (nothing
    listens on the network, and ipykernel has no reason to warn about
    unencrypted TCP).
    """

    _private: str | None = None

    @property
    def kernel_spec(self):  # a missing or odd kernelspec falls back to ipykernel's own
        if self._kernel_spec is None:
            try:
                self._kernel_spec = self.kernel_spec_manager.get_kernel_spec(
                    self.kernel_name or NATIVE_KERNEL_NAME
                )
            except NoSuchKernel:
                self._kernel_spec = self.kernel_spec_manager.get_kernel_spec(NATIVE_KERNEL_NAME)
        return self._kernel_spec

    async def _async_pre_start_kernel(self, **kw):
        if self._private is None:
            self._private = tempfile.mkdtemp(prefix="aieng-kernel-")
            if os.name == "posix":
                self.transport = "ipc"
                self.ip = os.path.join(self._private, "ipc")
                self.connection_file = os.path.join(self._private, "kernel.json")
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        spec = self.kernel_spec
        if spec is None or (spec.language or "").lower() != "python":
            return super().format_kernel_cmd(extra_arguments)
        connection_file = os.path.realpath(self.connection_file)
        return [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file] + list(
            extra_arguments or []
        )

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        try:
            await super().shutdown_kernel(now=now, restart=restart)
        finally:
            if self._private and not restart:
                shutil.rmtree(self._private, ignore_errors=True)
                self._private = None


class GradingKernelManager(CourseKernelManager):
    """A ``CourseKernelManager`` that cages learner code (see the module docstring)."""

    policy: SandboxPolicy = SandboxPolicy()
    _caged: bool = False

    async def _async_pre_start_kernel(self, **kw):
        self._caged = self.policy.use_bwrap
        command_and_kw = await super()._async_pre_start_kernel(**kw)
        for name in ("home", "aieng", "ipython", "mpl", "tmp"):
            os.makedirs(os.path.join(self._private, name), exist_ok=True)
        return command_and_kw

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if self._caged:
            cmd = cmd + ["--IPKernelApp.parent_handle=1"]  # bwrap --die-with-parent does it
        memory = self.policy.memory_mb * 1024 * 1024
        if sys.platform.startswith("linux"):
            cmd = [sys.executable, "-c", LIMITS_SHIM, str(memory), str(FILE_SIZE_CAP), *cmd]
        if self._caged and self.policy.course_model_socket:
            cmd = bridge_command(self.policy.course_model_socket, cmd)
        if self._caged:
            cmd = self._bwrap_prefix() + cmd
        return cmd

    def _bwrap_prefix(self) -> list[str]:
        cwd = os.path.realpath(self._launch_args.get("cwd") or os.getcwd())
        args = [
            shutil.which("bwrap") or "bwrap",
            "--die-with-parent",
            "--new-session",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
        ]  # fmt: skip
        hidden = {os.path.realpath(path) for path in self.policy.hide if os.path.isdir(path)}
        # Parents first: a kept folder under a mask (Python under a masked $HOME, a
        # course cloned into $HOME) is bound back, and the secrets inside it masked again.
        # /tmp is an empty tmpfs too, so a course (or its venv) cloned under /tmp is
        # bound back like one under a masked folder.
        masks = hidden | {"/tmp"}
        for path in sorted(hidden | set(_kept_paths()), key=lambda p: (p.count(os.sep), p)):
            if path in hidden:
                args += ["--tmpfs", path]
            elif any(path.startswith(m + os.sep) for m in masks):
                args += ["--ro-bind", path, path]
        args += ["--bind", self._private, self._private, "--bind", cwd, cwd, "--chdir", cwd]
        if self.policy.course_model_socket:
            folder = os.path.dirname(self.policy.course_model_socket)
            args += ["--bind", folder, folder]
        for path in sorted(hidden):  # masks stay empty (binds made inside them stay rw)
            args += ["--remount-ro", path]
        args += ["--unsetenv", "JPY_PARENT_PID", "--"]
        return args

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw["env"] = self._kernel_env(kw.get("env") or os.environ)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    def _kernel_env(self, inherited) -> dict[str, str]:
        env = {
            key: value
            for key, value in inherited.items()
            if key in KEPT_ENV or key.startswith(KEPT_ENV_PREFIXES) or key.startswith("JPY_")
        }
        env.pop("PYTHONSTARTUP", None)
        private = self._private or tempfile.gettempdir()
        env.update(OFFLINE_ENV)
        env.update(
            HOME=os.path.join(private, "home"),
            AIENG_HOME=os.path.join(private, "aieng"),
            IPYTHONDIR=os.path.join(private, "ipython"),
            MPLCONFIGDIR=os.path.join(private, "mpl"),
            TMPDIR=os.path.join(private, "tmp"),
        )
        if self._caged and self.policy.course_model_socket:
            env["AIENG_COURSE_MODEL_URL"] = f"http://127.0.0.1:{SANDBOX_MODEL_PORT}"
        elif self.policy.course_model_url and not self._caged:
            env["AIENG_COURSE_MODEL_URL"] = self.policy.course_model_url
        env.update(dict(self.policy.extra_env))
        return env

    async def interrupt_kernel(self) -> None:
        if not self._caged:
            await super().interrupt_kernel()
            return
        message = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, message)


@functools.cache
def _kept_paths() -> tuple[str, ...]:
    """Folders learner code needs to read even under a mask: the interpreter (pyenv
    keeps it under $HOME) and the course repository (``aieng``, ``datasets/``)."""
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.add(str(repo_root()))
    return tuple(sorted(os.path.realpath(path) for path in paths))


def describe_protection(mode: str = "auto") -> str:
    """One plain sentence on what cages learner code in this grading run."""
    common = (
        "memory cap, per-cell and per-submission time limits, output caps, its own "
        "session and a scratch course"
    )
    if SandboxPolicy(mode=mode).use_bwrap:
        return (
            f"protection: bubblewrap sandbox (read-only system, solutions, gradebook and other "
            f"learners' work hidden, writes only to its scratch folder, no network) + {common}"
        )
    return (
        f"protection: process limits only ({common}); NO sandbox, so learner code can read "
        "files this user can read and reach the network (install bubblewrap to close that)"
    )
