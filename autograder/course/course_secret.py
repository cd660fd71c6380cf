"""The course secret: a file of random text mixed into the seed of each student's hidden inputs.

:func:`new_secret_file` makes one (``python -m autograder secret new FILE``, and
``nbgrader-course`` when it is given none); every command that takes ``--secret-file`` reads it.
"""

import os
import secrets

#: What a command that wants a secret file it was not given says, so the reader knows how.
HOW_TO_MAKE_ONE = "make one with: python -m autograder secret new FILE"
SECRET_BYTES = 32  # 256 random bits, written as 64 hexadecimal digits


def new_secret_file(path):
    """Write a new random course secret (and a newline) to the file ``path``.

    The file is created readable and writable by its owner only (mode 0600 from the moment it
    exists; a umask can only take bits away), and never over anything already at ``path``: a
    file, a folder or a link there raises ``FileExistsError``. On any error nothing is left at
    ``path``.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    except BaseException:
        os.unlink(path)
        raise
