#!/bin/sh
# The unit tests that compare insoled against real recordings
# (../shared/data, outside the repository): SKIP, with the reason, when the
# recordings are absent; see tests/unit/shared_data.h.
exec "${top_builddir:-.}/tests/unit/check_insoled" --shared-data
