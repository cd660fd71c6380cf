"""Is a new course secret 256 random bits, written as 64 hexadecimal digits and a newline?

(How the file is created, owner-only and never over anything, is tested with the command that
makes it in ``test_cli.py``.)"""

import re

from autograder.course import course_secret


def test_is_a_new_secret_64_hexadecimal_digits_on_one_line(tmp_path):
    texts = []
    for name in ("a.secret", "b.secret"):
        course_secret.new_secret_file(tmp_path / name)
        texts.append((tmp_path / name).read_text())
    for text in texts:
        assert re.fullmatch(r"[0-9a-f]{64}\n", text), text
    assert texts[0] != texts[1]
