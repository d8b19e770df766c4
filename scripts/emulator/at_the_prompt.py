#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would, and interrupts it
(Ctrl-C: SIGINT) once it asks a question. Prints what it showed and its exit code as JSON.

    at_the_prompt.py PROMPT -- COMMAND [ARG ...]
"""

import json
import os
import pty
import select
import signal
import sys
import time


def main():
    separator = sys.argv.index("--")
    prompt, command = sys.argv[1], sys.argv[separator + 1:]
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
            os.kill(pid, signal.SIGINT)
            interrupted = True
    _, status = os.waitpid(pid, 0)
    json.dump({"output": shown.decode(errors="replace"), "code": os.waitstatus_to_exitcode(status), "interrupted": interrupted}, sys.stdout)


if __name__ == "__main__":
    main()
