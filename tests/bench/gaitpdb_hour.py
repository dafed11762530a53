#!/usr/bin/python3
"""Write a one-hour gaitpdb-like recording for the import benchmarks: a PhysioNet gaitpdb walk
repeated with a continuous clock (100 Hz, 4-decimal times, CRLF, tab-separated, as the originals).

Usage: tests/bench/gaitpdb_hour.py WALK.txt OUT.txt [SECONDS]   (default 3600 s)
"""
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3600.0
    with open(src, newline='') as f:
        rows = [line.rstrip('\r\n').split('\t', 1)[1] for line in f if line.strip()]
    n = int(round(seconds * 100))
    with open(out, 'w', newline='') as f:
        for i in range(n):
            f.write('%.4f\t%s\r\n' % (i / 100.0, rows[i % len(rows)]))


if __name__ == '__main__':
    main()
