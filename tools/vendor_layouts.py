#!/usr/bin/python3
"""Generate the layouts of the vendor insoles insoled imports (docs/layouts.md):

  pedar99-<type>   novel pedar-x, 99 sensors, one file per insole type of the areas table
  fscan60x21       Tekscan F-Scan 60 x 21 sensels of 5.08 mm, outline from the cells the
                   sample marks "B" (outside the trimmed insole)
  xsensor31x11     XSENSOR foot insole 31 x 11 cells of 0.86 cm, outline from the cells that
                   the sample loads on either foot
  stappone12       stappone, 12 sensors, positions ESTIMATED from the pressuRe package's
                   sensor outlines

Sources, all from the pressuRe R package (Telfer & Li, MIT; ../shared/data/SOURCE.md):
pedar_insole_grid.csv and pedar_insole_areas.csv, fscan_testL.asf, xsensor_data.csv, and the
stappone sensor polygons of R/pressuRe_functions.R (stappone_insole_polys(), copied below).

Usage: tools/vendor_layouts.py DATA_DIR LAYOUT_DIR  (DATA_DIR = ../shared/data/pressure-formats)
Plain Python 3, no third-party modules; the output is committed, this documents how it was made.
"""
import csv
import math
import os
import sys

# The outline every shipped sparse layout uses, for 300 x 105 mm (docs/layouts.md "Outline").
STD_OUTLINE = [(0, 0), (13.65, 3), (22.05, 9), (28.35, 18), (31.5, 30), (32.55, 48), (31.5, 72),
               (30.45, 96), (29.4, 120), (31.5, 144), (37.8, 168), (46.2, 189), (53.55, 210),
               (53.55, 228), (50.4, 246), (45.15, 264), (37.8, 279), (27.3, 291), (16.8, 297),
               (6.3, 300), (2.1, 300), (-4.2, 297), (-12.6, 291), (-24.15, 279), (-34.65, 264),
               (-43.05, 246), (-48.3, 228), (-51.45, 210), (-50.4, 189), (-47.25, 168),
               (-44.1, 144), (-42, 120), (-38.85, 96), (-35.7, 72), (-33.6, 48), (-31.5, 30),
               (-28.35, 18), (-22.05, 9), (-13.65, 3)]

# pressuRe's stappone_insole_polys(): sensor id, x, y in mm; a left insole seen from above
# (x grows toward the big toe), y from the heel (about -40) to the toes (about 196).
STAPPONE_ID = [1]*16 + [2]*15 + [3]*18 + [4]*15 + [5]*14 + [6]*13 + [7]*22 + [8]*16 + \
    [9]*13 + [10]*17 + [11]*15 + [12]*19
STAPPONE_X = [-56, -54.52, -55.2, -54.13, -50.7, -47.23, -43.47, -42.74, -40.76, -39.94, -39.89,
              -44.35, -48.33, -56.84, -56.27, -56, -46.72, -45.72, -46.72, -46.05, -47.07, -44.02,
              -41.24, -37.84, -39.85, -40.49, -42.29, -42.36, -43.84, -45.37, -46.72, -50.91,
              -56.1, -62.54, -66.01, -67.68, -66.27, -66.62, -65.41, -65.46, -60.92, -54.81,
              -54.6, -53.22, -51.91, -48.74, -43.91, -43.94, -50.91, -73.14, -72.27, -70.22,
              -67.06, -64.79, -66.12, -64.86, -65.75, -64.11, -66.82, -70.08, -73.15, -71.64,
              -72.89, -73.14, -58.9, -59.58, -59.15, -60.97, -59, -56.91, -54.09, -54.95, -52.09,
              -53.08, -52.54, -55.44, -58.11, -58.9, -84.07, -85.91, -84.33, -85.38, -83.41,
              -80.72, -78.66, -78.29, -77.67, -77.71, -77.06, -80.55, -84.07, -90.43, -92.49,
              -95.92, -94.25, -85.96, -81.34, -75.83, -75.36, -76.09, -69.97, -73.03, -77.03,
              -82.12, -80.45, -77.01, -83.18, -88.26, -88.09, -88.33, -89.53, -90.43, -86.59,
              -87.2, -89.06, -87.86, -83.87, -80.61, -76.5, -75.3, -76.55, -75.51, -74.57,
              -75.37, -78.6, -81.96, -84.37, -86.59, -96.13, -96.15, -96.77, -95.17, -94.17,
              -92.88, -90.75, -92.37, -90.14, -91.01, -89.47, -92.01, -96.13, -71.21, -67.92,
              -69.43, -70.24, -67.89, -62.94, -57.2, -51.16, -50.06, -49.22, -50.56, -49.17,
              -50.23, -55.39, -61.49, -67.35, -71.21, -68.43, -62.23, -57.02, -49.47, -49.91,
              -49.64, -48.93, -52.15, -56.87, -61.92, -68.65, -68.06, -68.44, -66.49, -68.43,
              -94.04, -92.51, -88.27, -82.66, -73.33, -67.15, -63.8, -59.97, -63.42, -61.53,
              -64.75, -64.18, -71.24, -78.26, -86.5, -91.57, -93.62, -95.17, -94.04]
STAPPONE_Y = [172.4, 182.96, 189.6, 191.09, 191, 189.58, 186.43, 177.18, 166.89, 158.35, 153.56,
              153.63, 155.6, 153.67, 162.52, 172.4, 113.16, 119.21, 129.51, 139.74, 147.42,
              148.93, 146.53, 141.62, 134.16, 125.41, 118.91, 113.96, 112.08, 112.17, 113.16,
              101.5, 100.17, 102.71, 97.81, 91.11, 82.67, 73.42, 67.08, 61.17, 59.3, 59.74,
              66.74, 74.09, 83.75, 93.94, 99.33, 106.43, 101.5, 138.19, 144.81, 148.12, 148.19,
              144.26, 137.25, 126.94, 118.54, 112.2, 109.68, 110.58, 114.33, 120.99, 129.99,
              138.19, 114.37, 120.03, 131, 141.48, 148.83, 149.52, 148.89, 139.38, 129.43,
              118.84, 112.38, 111.24, 111.99, 114.37, 107.28, 114.92, 125.6, 136.65, 142.63,
              144.43, 141.84, 134.41, 124.24, 114.24, 108.14, 105.59, 107.28, 57.43, 75.09,
              87.29, 98.92, 95.75, 94.34, 95.12, 77.84, 64.32, 47.13, 40.87, 37.76, 29.92, 19.93,
              7.04, 5.39, 4.11, 11.99, 22.94, 39.73, 57.43, -20.51, -12.53, -4.55, -2.21, -2.31,
              -2.91, -2.05, -3.75, -9.79, -17.04, -24.15, -28.1, -29.23, -29.83, -27.76, -20.51,
              103.48, 111.49, 119.1, 128.79, 132.74, 136, 134.36, 130.34, 123.77, 115.15,
              107.83, 102.81, 103.48, -0.68, 11.9, 20.03, 30.84, 34.14, 36.16, 32.12, 27.18,
              19.04, 11.18, 5.16, 1.24, -0.36, -0.56, 0.14, -1.6, -0.68, -8.88, -5.29, -6.75,
              -5.67, -11.56, -16.77, -23.77, -29.67, -35.33, -36.73, -39.08, -33.04, -25.57,
              -16.87, -8.88, 143.75, 150.85, 161.91, 176.59, 184.91, 191.73, 195.23, 195.52,
              184.63, 174.29, 162.8, 155.65, 155.32, 151.79, 145.75, 143.17, 141, 141.86, 143.75]


def shoelace(pts):
    """Signed area and centroid of a polygon."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    a /= 2
    return a, cx / (6 * a), cy / (6 * a)


def fmt(v):
    return ('%.3f' % v).rstrip('0').rstrip('.') if v != 0 else '0'


def write_layout(path, comment, head, calib, outline, body):
    with open(path, 'w') as f:
        f.write(''.join('# %s\n' % c if c else '#\n' for c in comment))
        f.write('\n[layout]\n')
        f.write(''.join('%s = %s\n' % kv for kv in head))
        f.write('\n[calibration]\n')
        f.write(''.join('%s = %s\n' % kv for kv in calib))
        f.write('\n[outline]\n')
        f.write(''.join('point = %s %s\n' % (fmt(x), fmt(y)) for x, y in outline))
        f.write(body)


def row_extent_outline(mask, cell, x0, y0):
    """Outline around the cells set in mask[row][col] (row 0 at the heel): the lateral
    edge of every row from heel to toe, then the medial edge back."""
    rows = [r for r in range(len(mask)) if any(mask[r])]
    lat, med = [], []
    for r in rows:
        cols = [c for c, v in enumerate(mask[r]) if v]
        ylo, yhi = y0 + (r - 0.5) * cell, y0 + (r + 0.5) * cell
        xl, xm = x0 + (cols[0] - 0.5) * cell, x0 + (cols[-1] + 0.5) * cell
        lat += [(xl, ylo), (xl, yhi)]
        med += [(xm, ylo), (xm, yhi)]
    pts = lat + med[::-1]
    out = []
    for p in pts:  # drop points on a straight vertical run
        if len(out) >= 2 and out[-1][0] == p[0] == out[-2][0]:
            out[-1] = p
        else:
            out.append(p)
    return out


# ---- pedar ----------------------------------------------------------------------------

PEDAR_TYPES = ['u', 'v', 'w', 'x', 'y', 'uw', 'xw', 'vw']


def pedar(data, outdir):
    with open(os.path.join(data, 'pedar_insole_grid.csv')) as f:
        rows = [r for r in csv.reader(f)][1:]
    # rows 1-99: the right insole, NA, rows 101-199: the left insole (pressuRe draws data
    # sensors 1-99, the left insole, with the second block); both seen from above, the left
    # one the mirror image of the right about x = 0.4.
    left = [[float(v) for v in r] for r in rows[100:199]]
    quads = [[(r[0], r[1]), (r[2], r[3]), (r[4], r[5]), (r[6], r[7])] for r in left]
    xs = [p[0] for q in quads for p in q]
    ys = [p[1] for q in quads for p in q]
    xc = (min(xs) + max(xs)) / 2
    ymin = min(ys)
    norm = [shoelace(q) for q in quads]
    with open(os.path.join(data, 'pedar_insole_areas.csv')) as f:
        table = list(csv.DictReader(f))
    for t in PEDAR_TYPES:
        areas = [float(r[t]) for r in table]
        # the grid is normalised with one scale on both axes: the published sensor areas
        # fix that scale for each insole type
        scale = math.sqrt(sum(areas) / sum(abs(a) for a, _, _ in norm))
        length = (max(ys) - ymin) * scale
        width = (max(xs) - min(xs)) * scale
        sensors = ''
        for i, (_, cx, cy) in enumerate(norm):
            sensors += '\n[sensor]\n# %d\nx_mm = %s\ny_mm = %s\narea_mm2 = %s\n' % (
                i + 1, fmt((cx - xc) * scale), fmt((cy - ymin) * scale), fmt(areas[i]))
        outline = pedar_outline(quads, xc, ymin, scale)
        write_layout(os.path.join(outdir, 'pedar99-%s.layout' % t),
                     ['pedar99-%s: novel pedar-x insole type "%s", 99 sensors (pedar_insole_grid.csv,' % (t, t),
                      'pedar_insole_areas.csv from the pressuRe R package, MIT).  Positions: the centroid of each',
                      'sensor quadrilateral of the left insole, x = (x_norm - %.4f) * s (+ medial),' % xc,
                      'y = (y_norm - %.3f) * s; s = %.2f mm per unit is sqrt(sum of the published areas /' % (ymin, scale),
                      'sum of the quadrilaterals\' areas).  Areas: the published sensor areas (the sensors tile',
                      'the insole).  Generated by tools/vendor_layouts.py.'],
                     [('name', 'pedar99-%s' % t),
                      ('description', 'novel pedar-x insole type %s, 99 sensors (published geometry)' % t),
                      ('foot_length_mm', fmt(length)), ('foot_width_mm', fmt(width)),
                      ('forefoot_width_mm', fmt(width)), ('units', 'kpa'), ('heatmap_cell_mm', '5')],
                     [('kind', 'linear'), ('zero', '0'), ('gain', '2.5'), ('saturation', '480')],
                     outline, sensors)


def pedar_outline(quads, xc, ymin, scale):
    """Row by row (sensors whose first corners lie within 0.07), the lateral- and medial-most
    corner of the row, heel to toe, then back along the medial edge."""
    rows = {}
    for q in sorted(quads, key=lambda q: q[0][1]):
        # the toe sensors' first corners differ by a few hundredths: one row
        key = next((k for k in rows if abs(k - q[0][1]) < 0.07), q[0][1])
        rows.setdefault(key, []).append(q)
    lat, med = [], []
    for key in sorted(rows):
        pts = [p for q in rows[key] for p in q]
        lo = min(p[1] for p in pts)
        hi = max(p[1] for p in pts)
        for y in (lo, hi):
            near = [p for p in pts if abs(p[1] - y) < 0.03]
            lat.append((min(p[0] for p in near), y))
            med.append((max(p[0] for p in near), y))
    pts = []
    for p in lat + med[::-1]:
        if not pts or pts[-1] != p:
            pts.append(p)
    return [((x - xc) * scale, (y - ymin) * scale) for x, y in pts]


# ---- F-Scan -----------------------------------------------------------------------------

def fscan(data, outdir):
    lines = open(os.path.join(data, 'fscan_testL.asf')).read().split('\n')
    i = lines.index('Frame 1')
    file_rows = [lines[i + 1 + r].split(',') for r in range(60)]
    cell = 5.08
    # file row 0 is at the toes; layout row 0 at the heel.  The sample is a left foot seen
    # from above: file column 0 is lateral, as layout column 0.
    mask = [[v != 'B' for v in file_rows[59 - r]] for r in range(60)]
    x0, y0 = -10 * cell, cell / 2
    write_layout(os.path.join(outdir, 'fscan60x21.layout'),
                 ['fscan60x21: Tekscan F-Scan insole sensor, 60 rows x 21 columns of 5.08 mm sensels',
                  '(ROWS, COLS, ROW_SPACING, COL_SPACING of fscan_testL.asf, pressuRe package, MIT).',
                  'Outline: around the sensels that file marks "B" (outside the trimmed insole), row by',
                  'row; other trims leave more or fewer cells, which then simply never load.  Row 0 at',
                  'the heel (the file\'s last row), column 0 lateral.  Generated by tools/vendor_layouts.py.'],
                 [('name', 'fscan60x21'),
                  ('description', 'Tekscan F-Scan 60 x 21 sensels of 5.08 mm (outline from the sample trim)'),
                  ('foot_length_mm', fmt(60 * cell)), ('foot_width_mm', fmt(21 * cell)),
                  ('forefoot_width_mm', fmt(21 * cell)), ('units', 'kpa')],
                 # values are kPa; the sample's SATURATION_PRESSURE is 1514.73 kPa
                 [('kind', 'linear'), ('zero', '0'), ('gain', '1'), ('saturation', '1515')],
                 row_extent_outline(mask, cell, x0, y0),
                 '\n[grid]\ncolumns = 21\nrows = 60\ncell_mm = %s\nx0_mm = %s\ny0_mm = %s\n' %
                 (fmt(cell), fmt(x0), fmt(y0)))


# ---- XSENSOR ----------------------------------------------------------------------------

def xsensor(data, outdir):
    lines = open(os.path.join(data, 'xsensor_data.csv'), encoding='utf-8-sig').read().split('\n')
    loaded = [[False] * 11 for _ in range(31)]
    foot = None
    i = 0
    while i < len(lines):
        f = lines[i].split(',')
        if f[0] == 'SENSOR':
            foot = 'L' if '-LF' in f[1] else 'R'
        elif f[0] == 'GROUP':
            foot = None
        elif f[0] == 'SENSELS' and foot:
            for r in range(31):
                vals = lines[i + 2 + 2 * r].split(',')[:11]
                for c, v in enumerate(vals):
                    if float(v) > 0:
                        # layout row 0 at the heel; the right foot mirrored onto the left
                        loaded[30 - r][c if foot == 'L' else 10 - c] = True
            i += 2 + 2 * 31
            continue
        i += 1
    cell = 8.6
    x0, y0 = -5 * cell, cell / 2
    write_layout(os.path.join(outdir, 'xsensor31x11.layout'),
                 ['xsensor31x11: XSENSOR foot insole (HX210.11.31.M11), 31 rows x 11 columns of 0.86 cm',
                  'sensels (Rows, Columns, Sensel Width/Height of xsensor_data.csv, pressuRe package, MIT).',
                  'Outline: around the cells the sample loads on either foot (right foot mirrored), row',
                  'by row.  Row 0 at the heel (the file\'s last row), column 0 lateral.',
                  'Generated by tools/vendor_layouts.py.'],
                 [('name', 'xsensor31x11'),
                  ('description', 'XSENSOR foot insole 31 x 11 sensels of 8.6 mm'),
                  ('foot_length_mm', fmt(31 * cell)), ('foot_width_mm', fmt(11 * cell)),
                  ('forefoot_width_mm', fmt(11 * cell)), ('units', 'kpa')],
                 # values are kPa (converted from mmHg); no saturation is stated by the export
                 [('kind', 'linear'), ('zero', '0'), ('gain', '1'), ('saturation', '4095')],
                 row_extent_outline(loaded, cell, x0, y0),
                 '\n[grid]\ncolumns = 11\nrows = 31\ncell_mm = %s\nx0_mm = %s\ny0_mm = %s\n' %
                 (fmt(cell), fmt(x0), fmt(y0)))


# ---- stappone ---------------------------------------------------------------------------

def stappone(outdir):
    length, width = 245.0, 100.0
    xs_axis = -67.5     # the middle of the sensors' lateral (-96) .. medial (-39) extent
    y_heel = -45.0      # 5 mm behind the rearmost heel sensor edge (-39)
    sensors = ''
    for sid in range(1, 13):
        pts = [(x, y) for i, x, y in zip(STAPPONE_ID, STAPPONE_X, STAPPONE_Y) if i == sid][:-1]
        area, cx, cy = shoelace(pts)
        sensors += '\n[sensor]\n# %d\nx_mm = %s\ny_mm = %s\narea_mm2 = %s\n' % (
            sid, fmt(cx - xs_axis), fmt(cy - y_heel), fmt(abs(area)))
    outline = [(x * width / 105.0, y * length / 300.0) for x, y in STD_OUTLINE]
    write_layout(os.path.join(outdir, 'stappone12.layout'),
                 ['stappone12: stappone insole, 12 pressure channels.  ESTIMATED: stappone does not publish',
                  'its sensor positions; these are the centroids and areas of the sensor outlines drawn in',
                  'the pressuRe R package (stappone_insole_polys(), MIT), on an assumed 245 x 100 mm insole',
                  '(the standard outline scaled).  x = x_poly + 67.5 (+ medial), y = y_poly + 45.  The',
                  'channels are raw, uncalibrated values: arbitrary units (force_n = sum of values), for',
                  'gait timing and relative loading, not pressures.  Generated by tools/vendor_layouts.py.'],
                 [('name', 'stappone12'),
                  ('description', 'stappone insole, 12 raw channels (estimated positions)'),
                  ('foot_length_mm', fmt(length)), ('foot_width_mm', fmt(width)),
                  ('forefoot_width_mm', fmt(width)), ('units', 'arbitrary'), ('heatmap_cell_mm', '5')],
                 [('kind', 'linear'), ('zero', '0'), ('gain', '1'), ('saturation', '4095')],
                 outline, sensors)


def main():
    data, outdir = sys.argv[1], sys.argv[2]
    pedar(data, outdir)
    fscan(data, outdir)
    xsensor(data, outdir)
    stappone(outdir)


if __name__ == '__main__':
    main()
