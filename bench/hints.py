"""How the hints fare on realistic student code: ``python -m bench.hints [--students N]``.

Grades each function of :mod:`tests.feedback_corpus` in-process as N students: how many wrong
functions of catalogued mistakes get a hint naming their mistake(s), how many wrong functions
(of catalogued mistakes or of others) get a hint naming another mistake, and how many right
functions get a catalogued hint. Goal: at least 90 % named, no wrong hint, no hint on right code.
"""

import argparse
import sys

from tests.feedback_corpus import tally

GOAL_NAMED = 0.9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3)
    options = parser.parse_args(argv)
    tallies = [tally(f"student-{index}") for index in range(options.students)]
    failed = False
    for index, found in enumerate(tallies):
        met = (found.named >= GOAL_NAMED * found.wrong and not found.misnamed and not found.misled
               and not found.hinted_right)
        failed = failed or not met
        print(f"student-{index}: {found.line()} [{'met' if met else 'MISSED'}]")
        for name, ids in found.misnamed + found.misled:
            print(f"  wrong hint: {name} named {', '.join(ids)}")
        for name in found.unnamed:
            print(f"  no hint: {name}")
        for name, said in found.hinted_right:
            print(f"  hint on right code: {name}: {said}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
