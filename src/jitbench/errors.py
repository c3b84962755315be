"""User-facing errors: one line that names the thing and the fix; the CLI exits with status 2."""


class JitbenchError(Exception):
    """A problem with the user's input or environment, reported as one line without a traceback."""


class ConfigError(JitbenchError):
    """An invalid jitbench.toml: the message names the file, the key and the problem."""
