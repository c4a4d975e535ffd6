"""Read a memray capture: the allocations alive at the highest memory use, per call path."""

import os
import sys

import memray

from codeflash_profile_common import function_at, write_json

HARNESS = os.path.dirname(memray.__file__) + os.sep


def main():
    capture, json_path = sys.argv[1:]
    reader = memray.FileReader(capture)
    stacks = []
    for record in reader.get_high_watermark_allocation_records(merge_threads=True):
        path = [
            [*function_at(filename, line, function), line]
            for function, filename, line in reversed(record.stack_trace())
            if not filename.startswith(HARNESS)
        ]
        stacks.append([path, record.size, record.n_allocations])
    write_json(json_path, {"stacks": stacks, "peak_bytes": reader.metadata.peak_memory})


main()
