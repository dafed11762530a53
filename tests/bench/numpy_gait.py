#!/usr/bin/python3
"""A measuring tool, not part of insoled: the plain numpy baseline that `insoled --analyze` is
compared with side by side (docs/import.md "Speed").  It does less than insoled: per foot it
finds heel strikes and toe-offs on the total force (a fixed threshold with a little hysteresis),
and per step the stance, swing and stride times, the peak force and the force impulse.  Output:
one JSON line per step and a per-file count on stderr, so both programs write comparable text.

    tests/bench/numpy_gait.py FILE...      gaitpdb .txt files, or gaitndd NAME.hea records

Needs python3-numpy (Debian 12: apt-get install python3-numpy).
"""
import json
import os
import sys

import numpy as np

GAITPDB_RATE = 100.0
CONTACT_N = 20.0          # gaitpdb: newtons
CONTACT_FRACTION = 0.2    # gaitndd: of the signal's range (raw values)


def events(force, threshold, rate):
    """Indices of heel strikes and toe-offs: crossings of threshold, each held for 3 samples."""
    loaded = force > threshold
    edges = np.flatnonzero(np.diff(loaded.astype(np.int8)))
    contact = edges[~loaded[edges]] + 1
    toe_off = edges[loaded[edges]] + 1
    return contact, toe_off


def steps(name, foot, force, rate, threshold, out):
    contact, toe_off = events(force, threshold, rate)
    if len(contact) == 0:
        return 0
    toe_off = toe_off[np.searchsorted(toe_off, contact[0]):]
    n = min(len(contact), len(toe_off))
    contact, toe_off = contact[:n], toe_off[:n]
    ok = toe_off > contact
    contact, toe_off = contact[ok], toe_off[ok]
    stance = (toe_off - contact) / rate
    stride = np.append(np.diff(contact) / rate, np.nan)
    swing = stride - stance
    csum = np.concatenate(([0.0], np.cumsum(force) / rate))
    impulse = csum[toe_off] - csum[contact]
    peaks = np.maximum.reduceat(force, np.ravel(np.column_stack((contact, toe_off))))[::2] \
        if len(contact) else np.array([])
    lines = [json.dumps({"file": name, "foot": foot, "index": i, "contact_s": contact[i] / rate,
                         "stance_ms": 1000 * stance[i], "swing_ms": 1000 * swing[i],
                         "stride_ms": 1000 * stride[i], "peak_n": float(peaks[i]),
                         "impulse_ns": float(impulse[i])})
             for i in range(len(contact))]
    out.write('\n'.join(lines) + ('\n' if lines else ''))
    return len(contact)


def gaitpdb(path, out):
    data = np.loadtxt(path)
    n = 0
    for foot, col in (("left", 17), ("right", 18)):
        n += steps(path, foot, data[:, col], GAITPDB_RATE, CONTACT_N, out)
    return n


def read_212(path):
    raw = np.fromfile(path, dtype=np.uint8)
    raw = raw[:len(raw) // 3 * 3].reshape(-1, 3).astype(np.int16)
    a = raw[:, 0] | ((raw[:, 1] & 0x0f) << 8)
    b = raw[:, 2] | ((raw[:, 1] & 0xf0) << 4)
    s = np.column_stack((a, b)).ravel()
    return np.where(s > 2047, s - 4096, s).astype(np.float64)


def gaitndd(hea, out):
    base = hea[:-4]
    with open(hea) as f:
        rate = float(f.readline().split()[2])
    n = 0
    for foot, ext in (("left", ".let"), ("right", ".rit")):
        x = read_212(base + ext)
        lo, hi = np.percentile(x, 5), np.percentile(x, 95)
        n += steps(hea, foot, x, rate, lo + CONTACT_FRACTION * (hi - lo), out)
    return n


def main():
    out = sys.stdout
    for path in sys.argv[1:]:
        if path.endswith('.hea') or os.path.exists(path + '.hea'):
            n = gaitndd(path if path.endswith('.hea') else path + '.hea', out)
        else:
            n = gaitpdb(path, out)
        sys.stderr.write('numpy_gait: %s: %d steps\n' % (path, n))


if __name__ == '__main__':
    main()
