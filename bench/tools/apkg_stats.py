#!/usr/bin/env python3
"""Facts about an .apkg for bench/run.sh: how many notes its collection holds, its size, and
the size the same entries would have deflated at zlib level 6 (the reference the issue sets:
a decksmith .apkg may be at most 10% larger). Prints one line: `notes size deflate6_size`.

Usage: apkg_stats.py FILE.apkg
"""

import os
import sqlite3
import sys
import tempfile
import zipfile
import zlib


def main():
    path = sys.argv[1]
    deflate6 = 22  # end-of-central-directory record
    notes = -1
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = len(c.compress(data) + c.flush())
            # Local header + central directory entry (both carry the name) + data.
            deflate6 += 30 + 46 + 2 * len(info.filename.encode()) + min(packed, len(data))
            if info.filename in ("collection.anki21", "collection.anki2") and notes < 0:
                with tempfile.TemporaryDirectory() as tmp:
                    db = os.path.join(tmp, "c.db")
                    with open(db, "wb") as f:
                        f.write(data)
                    con = sqlite3.connect(db)
                    notes = con.execute("select count(*) from notes").fetchone()[0]
                    con.close()
    print(notes, os.path.getsize(path), deflate6)


if __name__ == "__main__":
    main()
