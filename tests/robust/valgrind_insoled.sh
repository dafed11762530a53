#!/bin/sh
# The daemon under valgrind memcheck, for the script tests: they run
# "$INSOLED" ARGS..., so INSOLED=this script puts every daemon they start
# under memcheck.  Any error or definite/indirect leak makes the daemon exit
# 99 (the test then fails on its exit status); each process writes its own
# report to $VALGRIND_LOG_DIR/insoled.PID.log for the summary.
: "${top_builddir:?run through make check-robust (top_builddir unset)}"
: "${VALGRIND_LOG_DIR:?VALGRIND_LOG_DIR unset}"
exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --num-callers=30 \
	--log-file="$VALGRIND_LOG_DIR/insoled.%p.log" "$top_builddir/insoled" "$@"
