"""The rows of a realtalk bench table (clip, speaker, then numbers) split by speaker:
all, the held-out speakers (train/real_clips.cpp, never trained on) and the training
speakers; rows with a value that could not be measured (nan) are left out. Imported by
the benches' summaries (bench/vq_mouth_colour.sh, bench/vq_grain.sh)."""


def groups(table_path, heldout_path):
    """Yields (label, rows) for each non-empty group, each row its numbers as floats."""
    heldout = {l.strip() for l in open(heldout_path) if l.strip()}
    rows = [l.rstrip("\n").split("\t") for l in open(table_path)][1:]
    rows = [(r[1] in heldout, [float(v) for v in r[2:]]) for r in rows if "nan" not in r]
    for label, part in (("all", [r for _, r in rows]), ("held-out speakers", [r for h, r in rows if h]),
                        ("training speakers", [r for h, r in rows if not h])):
        if part:
            yield label, part
