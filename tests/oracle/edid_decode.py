"""Run edid-decode (the oracle) and turn its timing reports into modelines.

Shared by the oracle tests and by gen-dmt-table. edid-decode prints a timing as
    DMT 0x44:  1920x1200   59.950171 Hz  16:10    74.038 kHz    154.000000 MHz (RB)
                Hfront   48 Hsync  32 Hback   80 Hpol P
                Vfront    3 Vsync   6 Vback   26 Vpol N
with porches per field for interlaced timings ("1024x768i", half lines noted)
and "Hborder 8"/"Vborder 8" after the polarity where a DMT has borders.
"""
import re
import subprocess

HEAD = re.compile(r'^(?:DMT 0x([0-9a-f]{2})|CVT|GTF):\s+(\d+)x(\d+)(i?)\s+([\d.]+) Hz.*?([\d.]+) MHz(.*)$')
HROW = re.compile(r'Hfront\s+(-?\d+) Hsync\s+(\d+) Hback\s+(-?\d+) Hpol ([PN])(?: Hborder (\d+))?')
VROW = re.compile(r'Vfront\s+(-?\d+) Vsync\s+(\d+) Vback\s+(-?\d+) Vpol ([PN])(?: Vborder (\d+))?')


def run(args):
    return subprocess.run(['edid-decode'] + args, capture_output=True, text=True,
                          check=True).stdout


def parse(text):
    """Parse one timing report into a dict with a modeline's values."""
    lines = [l for l in text.splitlines() if l.strip()]
    m = HEAD.match(lines[0])
    if not m:
        raise ValueError('unexpected edid-decode output: %r' % lines[0])
    dmt_id, w, h, inter, rate, mhz, rest = m.groups()
    w, h = int(w), int(h)
    hf, hs, hb, hp, hbord = HROW.search(lines[1]).groups()
    vf, vs, vb, vp, vbord = VROW.search(lines[2]).groups()
    hf, hs, hb, vf, vs, vb = map(int, (hf, hs, hb, vf, vs, vb))
    # A border (640x480 DMTs) lies on both sides of the active area: in a
    # modeline it is part of the porches.
    hbord, vbord = int(hbord or 0), int(vbord or 0)
    hf, hb, vf, vb = hf + hbord, hb + hbord, vf + vbord, vb + vbord
    t = {
        'id': int(dmt_id, 16) if dmt_id else None,
        'clock_khz': round(float(mhz) * 1000),
        'hdisplay': w, 'hsync_start': w + hf, 'hsync_end': w + hf + hs,
        'htotal': w + hf + hs + hb,
        'interlaced': bool(inter), 'reduced': '(RB' in rest,
        'phsync': hp == 'P', 'pvsync': vp == 'P', 'rate': float(rate),
    }
    if inter:
        # Frame lines as X counts them: twice the field porches plus the half line.
        t.update(vdisplay=h, vsync_start=h + 2 * vf, vsync_end=h + 2 * vf + 2 * vs,
                 vtotal=h + 2 * (vf + vs + vb) + 1)
    else:
        t.update(vdisplay=h, vsync_start=h + vf, vsync_end=h + vf + vs, vtotal=h + vf + vs + vb)
    return t


def dmt_ids():
    return [int(l.split()[1].rstrip(':'), 16) for l in run(['--list-dmts']).splitlines()
            if l.startswith('DMT 0x')]


def dmt(i):
    return parse(run(['--dmt', '0x%02x' % i]))


def cvt(w, h, fps, rb=0, interlaced=False):
    arg = 'w=%d,h=%d,fps=%s,rb=%d' % (w, h, fps, rb) + (',interlaced' if interlaced else '')
    return parse(run(['--cvt', arg]))


def gtf(w, h, fps):
    return parse(run(['--gtf', 'w=%d,h=%d,fps=%s' % (w, h, fps)]))
