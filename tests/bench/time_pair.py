#!/usr/bin/python3
"""A measuring tool, not part of insoled: run two commands doing the same job side by side, alternately
(A, B, A, B ...) so that a change of load on a shared machine hits both alike, and print one row: the
best and the median wall time and CPU time (user + sys of the process and its threads) of each, and the
ratios B / A.  Wall times come from a monotonic clock around posix_spawn + wait4 (microseconds), CPU
times from wait4's rusage: /usr/bin/time's 10 ms steps are too coarse for runs of a few tens of ms.
A run that exits non-zero stops the measurement: a failing program must not look fast.

    tests/bench/time_pair.py RUNS NAME 'COMMAND A' 'COMMAND B'     (commands split as by a shell)
"""
import os
import shlex
import statistics
import sys
import time


def run_once(argv):
    """(wall s, cpu s) of one run, stdout and stderr to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit('time_pair: %s exited with %d' % (' '.join(argv), code))
    return wall, usage.ru_utime + usage.ru_stime


def main():
    runs, name = int(sys.argv[1]), sys.argv[2]
    cmds = [shlex.split(c) for c in sys.argv[3:5]]
    got = [[], []]
    for _ in range(runs):
        for k in (0, 1):
            got[k].append(run_once(cmds[k]))
    best = [(min(w for w, _ in g), min(c for _, c in g)) for g in got]
    med = [(statistics.median(w for w, _ in g), statistics.median(c for _, c in g)) for g in got]
    print('%s (%d runs each, alternating)' % (name, runs))
    for label, b, m in (('insoled', best[0], med[0]), ('numpy', best[1], med[1])):
        print('  %-8s wall best %7.4f s median %7.4f s | cpu best %7.4f s median %7.4f s'
              % (label, b[0], m[0], b[1], m[1]))
    print('  numpy/insoled: wall best %.1fx median %.1fx | cpu best %.1fx median %.1fx'
          % (best[1][0] / best[0][0], med[1][0] / med[0][0], best[1][1] / best[0][1], med[1][1] / med[0][1]))


if __name__ == '__main__':
    main()
