#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would, and once it asks
a question either interrupts it (Ctrl-C: SIGINT) or, with --meanwhile, runs another command
and leaves the question unanswered. Prints what it showed and its exit code as JSON.

    at_the_prompt.py PROMPT [--meanwhile SHELL_COMMAND] -- COMMAND [ARG ...]
"""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time


def main():
    separator = sys.argv.index("--")
    prompt, command = sys.argv[1], sys.argv[separator + 1:]
    meanwhile = sys.argv[sys.argv.index("--meanwhile") + 1] if "--meanwhile" in sys.argv[:separator] else None
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    shown, interrupted, deadline = b"", False, time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        if not interrupted and prompt.encode() in shown:
            if meanwhile:
                subprocess.run(meanwhile, shell=True, check=True)
            else:
                os.kill(pid, signal.SIGINT)
            interrupted = True
    _, status = os.waitpid(pid, 0)
    json.dump({"output": shown.decode(errors="replace"), "code": os.waitstatus_to_exitcode(status), "interrupted": interrupted}, sys.stdout)


if __name__ == "__main__":
    main()
